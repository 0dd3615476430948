from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("directory/", views.directory_view, name="directory"),
    path("directory/new/", views.directory_add_view, name="directory_add"),
    path("agreements/", views.agreement_list, name="agreements"),
    path("agreements/new/", views.agreement_create_view, name="agreement_create"),
    path("agreements/<uuid:agreement_uuid>/", views.agreement_detail, name="agreement_detail"),
    path(
        "agreements/<uuid:agreement_uuid>/edit/", views.agreement_edit_view, name="agreement_edit"
    ),
    path("agreements/<uuid:agreement_uuid>/end/", views.agreement_end_view, name="agreement_end"),
    path("case/<uuid:case_uuid>/new/", views.referral_create_view, name="create"),
    path("<uuid:referral_uuid>/", views.referral_detail, name="detail"),
    path("<uuid:referral_uuid>/accept/", views.referral_accept_view, name="accept"),
    path("<uuid:referral_uuid>/decline/", views.referral_decline_view, name="decline"),
    path("<uuid:referral_uuid>/withdraw/", views.referral_withdraw_view, name="withdraw"),
    path("<uuid:referral_uuid>/complete/", views.referral_complete_view, name="complete"),
    path("<uuid:referral_uuid>/services/new/", views.referral_service_view, name="service"),
]
