from django.urls import path

from metrics import views

app_name = "metrics"

urlpatterns = [
    path("dashboard/weekly/", views.weekly, name="weekly"),
]
