from celery import shared_task

from prijzen import services


@shared_task
def promote_ready_vlogs() -> None:
    services.promote_ready_vlogs()


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=5)
def send_outcome_mails(edition_id: int) -> int:
    from prijzen import decisions

    return decisions.send_outcome_mails(edition_id=edition_id)


@shared_task
def publish_due_results() -> int:
    from prijzen import decisions

    return decisions.publish_due_results()
