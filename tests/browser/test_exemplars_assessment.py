"""One star assessment in the browser, from the self-assessment to the award: 高塘社区's secretary
claims points with evidence, the district assigns two reviewers who score blind, the result goes
on public notice, someone objects on the portal (375 px), the objection is answered, and the
stars are awarded."""

import datetime as dt

from playwright.sync_api import expect

from gangwan.exemplars.models import AssessmentState, StarAssessment
from tests import factories as f
from tests.test_exemplars_views import PNG, World


def _login(page, username):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f.PASSWORD)
    page.click("main button[type=submit]")


def test_one_assessment_from_self_assessment_to_award(page, phone_page, district, tmp_path):
    w = World(district)
    a = w.a
    scored = [c for c in w.criteria() if c.kind != "veto"]
    evidence = tmp_path / "venue.png"
    evidence.write_bytes(PNG)

    _login(page, "gaotang")
    page.goto(f"/exemplars/assessments/{a.pk}/")
    page.click("#action-self")
    for c in scored:
        page.fill(f"#p-{c.pk}", str(int(c.max_points) - 1))
    page.fill(f"#s-{scored[0].pk}", "党委班子健全，书记兼任服务站站长。")
    page.set_input_files(f"#f-{scored[0].pk}", str(evidence))
    page.click("#submit-self")
    expect(page.locator("h1 [data-state='reviewing']")).to_be_visible()
    expect(page.locator("#self-entries")).to_contain_text("venue.png")

    _login(page, "zzb")
    page.goto(f"/exemplars/assessments/{a.pk}/")
    page.check(f"#rv-{w.r1.pk}")
    page.check(f"#rv-{w.r2.pk}")
    page.click("#assign-reviewers button[type=submit]")
    expect(page.locator("#reviews")).to_contain_text("0/2")

    for username, minus in (("reviewer1", 0), ("reviewer2", 2)):
        _login(page, username)
        page.goto(f"/exemplars/assessments/{a.pk}/")
        expect(page.locator("#scores-hidden")).to_be_visible()
        page.click("#action-review")
        for c in scored:
            page.fill(f"#rp-{c.pk}", str(max(int(c.max_points) - minus, 0)))
        page.click("#submit-review")
        expect(page.locator("#spread")).to_be_visible()

    _login(page, "zzb")
    page.goto(f"/exemplars/assessments/{a.pk}/")
    expect(page.locator("#satisfaction-note")).to_be_visible()
    page.click("#action-notice")
    expect(page.locator("h1 [data-state='on_notice']")).to_be_visible()
    expect(page.locator("#proposal [data-stars='5']")).to_be_visible()

    phone = phone_page
    phone.goto("/portal/exemplars/")
    phone.click(f"#notices a[href='/portal/exemplars/notices/{a.pk}/']")
    phone.fill("textarea[name=text]", "服务站周末不开门，与材料不符。")
    phone.click("#objection-form button[type=submit]")
    # Received and awaiting an answer; its text is published with the answer, not before.
    expect(phone.locator("#objections")).to_contain_text("待答复")
    expect(phone.locator("#objections")).not_to_contain_text("服务站周末不开门")
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= 375

    # The notice runs five working days; let it end.
    StarAssessment.objects.filter(pk=a.pk).update(
        notice_ends_on=dt.date.today() - dt.timedelta(days=1)
    )
    page.goto(f"/exemplars/assessments/{a.pk}/")
    page.click("#action-award")
    expect(page.locator(".alert-danger")).to_contain_text("异议")
    page.fill("#objections textarea[name=answer]", "经核实，服务站周末由志愿者值班开放。")
    page.click("#objections button[type=submit]")
    # Answered: the objection and its answer stand on the public notice together.
    StarAssessment.objects.filter(pk=a.pk).update(notice_ends_on=dt.date.today())
    phone.goto(f"/portal/exemplars/notices/{a.pk}/")
    expect(phone.locator("#objections")).to_contain_text("服务站周末不开门")
    expect(phone.locator("#objections")).to_contain_text("志愿者值班")
    StarAssessment.objects.filter(pk=a.pk).update(
        notice_ends_on=dt.date.today() - dt.timedelta(days=1)
    )
    page.click("#action-award")
    expect(page.locator("h1 [data-state='awarded']")).to_be_visible()
    expect(page.locator("#awarded [data-stars='5']")).to_be_visible()
    assert StarAssessment.objects.get(pk=a.pk).state == AssessmentState.AWARDED
