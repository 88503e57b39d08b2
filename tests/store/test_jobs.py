from medtrio.errors import InvalidInput
from medtrio.store.jobs import get_job, start_job, wait_for_job


class TestStartJob:
    def test_success_records_progress_result_and_log(self, db):
        def work(update):
            update("halfway", progress=0.5, message="working")
            return "all done", {"n": 3}

        job_id = start_job(db, "test", {"x": 1}, work, started="started test")
        status = wait_for_job(db, job_id, timeout=30)
        assert (status.status, status.progress, status.message) == ("done", 1.0, "all done")
        assert status.result == {"n": 3}
        assert [line.split(" ", 1)[1] for line in status.log.splitlines()] == [
            "started test", "halfway", "done: all done",
        ]

    def test_domain_error_fails_with_its_message(self, db):
        def work(update):
            raise InvalidInput("Too few patients to train on.")

        status = wait_for_job(db, start_job(db, "test", {}, work), timeout=30)
        assert status.status == "failed" and status.message == "Too few patients to train on."

    def test_other_errors_are_logged_by_type_only(self, db):
        def work(update):
            raise ValueError("row for patient Jane Doe, glucose 7.1")  # a driver message quoting data

        job_id = start_job(db, "test", {}, work, what="import")
        status = wait_for_job(db, job_id, timeout=30)
        assert status.status == "failed" and status.message == "import failed: ValueError"
        assert "Jane" not in status.log and "7.1" not in status.log
        assert get_job(db, job_id) == status
