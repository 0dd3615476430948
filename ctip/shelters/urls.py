from django.urls import path

from . import views

app_name = "shelters"
urlpatterns = [
    path("", views.facility_list, name="list"),
    path("board/", views.board, name="board"),
    path("new/", views.facility_create_view, name="create"),
    path("<uuid:facility_uuid>/", views.facility_detail, name="detail"),
    path("<uuid:facility_uuid>/admit/", views.admit_view, name="admit"),
    path("handoffs/<uuid:handoff_uuid>/admit/", views.handoff_admit_view, name="handoff_admit"),
    path("placements/<uuid:placement_uuid>/discharge/", views.discharge_view, name="discharge"),
    path("placements/<uuid:placement_uuid>/transfer/", views.transfer_view, name="transfer"),
]
