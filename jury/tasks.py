from celery import shared_task

from jury import services


@shared_task
def send_due_reminders() -> None:
    services.due_reminders()
