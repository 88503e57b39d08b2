"""Free-text reader: synonyms, negation, hedges, durations, age, sex and temperature in EN and ZH."""

from __future__ import annotations

from medtrio.triage.knowledge import load_knowledge
from medtrio.triage.textparse import parse_text

KB = load_knowledge()


def f(text, lang=None):
    return parse_text(KB, text, lang).findings


class TestEnglish:
    def test_lay_words(self):
        assert f("I have a tummy ache and the runs")["abdominal_pain"] is True
        assert f("I have a tummy ache and the runs")["diarrhea"] is True

    def test_negation_scope(self):
        out = f("No fever or vomiting, but a bad cough")
        assert out["fever"] is False and out["vomiting"] is False and out["cough"] is True

    def test_phrase_cues_do_not_negate(self):
        assert f("I can't stop coughing")["coughing_fits"] is True
        assert f("I can't sleep and have chest pain")["chest_pain"] is True

    def test_hedge_is_unknown(self):
        assert f("not sure if I have a fever")["fever"] is None

    def test_duration_age_sex(self):
        p = parse_text(KB, "My 3 year old daughter has had a cough for two weeks")
        assert p.age == 3 and p.sex == "F" and p.duration_days == 14

    def test_chronic_and_temperature(self):
        p = parse_text(KB, "coughing for months, temperature 39.8 degrees")
        assert p.findings["duration_chronic"] and p.findings["high_fever"] and p.findings["fever"]

    def test_infant_age(self):
        assert abs(parse_text(KB, "my 6 week old baby").age - 6 / 52) < 1e-9


class TestChinese:
    def test_lay_words_and_negation(self):
        out = f("拉肚子两天了，没有发烧，有点想吐")
        assert out["diarrhea"] is True and out["fever"] is False and out["nausea"] is True

    def test_non_negating_compounds(self):
        assert f("不停地咳嗽")["cough"] is True
        assert f("肚子不舒服")["abdominal_pain"] is True

    def test_age_duration(self):
        p = parse_text(KB, "我儿子5岁，咳嗽三天")
        assert p.age == 5 and p.sex == "M" and p.duration_days == 3 and p.lang == "zh"


class TestCompositional:
    def test_body_part_with_pain_word(self):
        assert f("pain in the middle of my chest")["chest_pain"] is True
        assert f("胸口剧痛")["chest_pain"] is True
        assert f("no pain in my chest")["chest_pain"] is False

    def test_face_swelling(self):
        assert f("her lips are getting swollen")["facial_swelling"] is True
        assert f("嘴唇和舌头都肿了")["facial_swelling"] is True

    def test_back_from_is_not_back_pain(self):
        assert "back_pain" not in f("came back from holiday with a sore throat")

    def test_stiff_neck_with_fever(self):
        out = f("fever and a stiff neck")
        assert out["neck_stiffness"] is True
        assert "neck_stiffness" not in f("stiff neck after sleeping badly")
