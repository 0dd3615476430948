from django.urls import path

from . import api

urlpatterns = [
    path("referrals/", api.ReferralListApi.as_view(), name="api-referrals"),
    path("referrals/<uuid:referral_uuid>/", api.ReferralDetailApi.as_view(), name="api-referral"),
    *[
        path(
            f"referrals/<uuid:referral_uuid>/{action}/",
            api.ReferralAnswerApi.as_view(action=action),
            name=f"api-referral-{action}",
        )
        for action in ("accept", "decline", "withdraw")
    ],
]
