"""Background jobs of the results. Their names stay those of the module they came from
(``prijzen.tasks``), so that queued messages and beat schedules keep working."""

from celery import shared_task

from results import decisions


@shared_task(
    name="prijzen.tasks.send_outcome_mails",
    autoretry_for=(Exception,),
    retry_backoff=60,
    max_retries=5,
)
def send_outcome_mails(edition_id: int) -> int:
    return decisions.send_outcome_mails(edition_id=edition_id)


@shared_task(name="prijzen.tasks.publish_due_results")
def publish_due_results() -> int:
    return decisions.publish_due_results()
