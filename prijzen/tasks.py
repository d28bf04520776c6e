from celery import shared_task

from prijzen import services


@shared_task
def promote_ready_vlogs() -> None:
    services.promote_ready_vlogs()
