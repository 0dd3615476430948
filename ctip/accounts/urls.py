from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("two-factor/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("me/", views.profile, name="profile"),
    path("me/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("me/api-tokens/", views.api_token, name="api_token"),
    path(
        "me/api-tokens/<uuid:token_uuid>/revoke/",
        views.api_token_revoke_view,
        name="api_token_revoke",
    ),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create_view, name="user_create"),
    path("users/<uuid:user_uuid>/", views.user_edit_view, name="user_edit"),
    path(
        "users/<uuid:user_uuid>/api-tokens/<uuid:token_uuid>/revoke/",
        views.user_api_token_revoke_view,
        name="user_api_token_revoke",
    ),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create_view, name="organisation_create"),
    path("organisations/<uuid:org_uuid>/", views.organisation_edit_view, name="organisation_edit"),
]
