from rest_framework.routers import DefaultRouter

from prijzen.api.views import EditionViewSet

router = DefaultRouter()
router.register("editions", EditionViewSet, basename="edition")
urlpatterns = router.urls
