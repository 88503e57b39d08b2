"""Adaptive interview: information gain, undo, budget, stopping, speed."""

from __future__ import annotations

import time

from medtrio.triage.interview import Interview
from medtrio.triage.knowledge import load_knowledge

KB = load_knowledge()


class TestInterview:
    def test_asks_a_relevant_question(self):
        iv = Interview(KB, age=30, sex="F")
        iv.add_given({"sore_throat": True})
        q = iv.next_question()
        probs = iv.posterior()
        j = KB.finding_index[q.id]
        p_yes = float(probs @ KB.likelihood[:, j])
        assert 0.05 < p_yes < 0.95  # an informative question, not one whose answer is already known

    def test_undo(self):
        iv = Interview(KB, age=30, sex="F")
        iv.add_given({"cough": True})
        q = iv.next_question()
        iv.answer(q.id, True)
        assert iv.questions_asked == 1
        assert iv.undo() == q.id
        assert iv.questions_asked == 0 and iv.next_question().id == q.id

    def test_budget_and_dont_know(self):
        iv = Interview(KB, age=40, sex="M", max_questions=5)
        iv.add_given({"headache": True})
        iv.run(lambda fid: None)
        assert iv.questions_asked == 5

    def test_stops_on_red_flag(self):
        iv = Interview(KB, age=60, sex="M")
        iv.add_given({"chest_pain": True, "sweating": True})
        assert iv.next_question() is None

    def test_safety_questions_come_first(self):
        iv = Interview(KB, age=50, sex="M")
        iv.add_given({"headache": True, "sudden_onset": True})
        q = iv.next_question()
        assert q.id in {f for c in KB.conditions if c.urgency == "emergency" for f in c.red_flags}

    def test_interview_step_is_fast(self):
        iv = Interview(KB, age=35, sex="F", max_questions=30)
        iv.add_given({"abdominal_pain": True})
        times = []
        for i in range(20):
            t0 = time.perf_counter()
            q = iv.next_question()
            if q is None:
                break
            iv.answer(q.id, i % 3 == 0)
            times.append(time.perf_counter() - t0)
        times.sort()
        assert times[len(times) // 2] < 0.05  # median step (question choice + answer) under 50 ms
