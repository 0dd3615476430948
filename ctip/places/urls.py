from django.urls import path, re_path

from . import views

app_name = "places"
urlpatterns = [
    path("", views.province_list, name="provinces"),
    re_path(r"^provinces/(?P<code>[0-9]{2})/$", views.province_detail, name="province"),
    re_path(r"^districts/(?P<code>[0-9]{4})/$", views.district_detail, name="district"),
    re_path(r"^communes/(?P<code>[0-9]{6})/$", views.commune_detail, name="commune"),
    path("villages/", views.village_search_view, name="village_search"),
    path("countries/", views.country_list, name="countries"),
    # The pickers of other apps' forms (places/forms.py): <option>s and village choices.
    re_path(r"^options/(?P<level>district|commune)/$", views.place_options, name="options"),
    path("pick/villages/", views.village_choices, name="village_choices"),
]
