"""A secretary records a general meeting of 30 expected members in ONE form submission: everyone
is present by default, two are marked on leave and one absent by changing their selects, and the
resulting page shows the quorum."""

import datetime as dt

from playwright.sync_api import expect

from gangwan.activities.models import Activity
from tests import factories as f


def test_secretary_records_a_general_meeting_in_one_submission(page, district):
    branch = f.organization(
        "青峙化工党支部", "branch", district.qingzhi, district.qingzhi_committee
    )
    members = [f.member(branch, name=f"党员{i:02d}") for i in range(30)]
    f.user("qingzhi_sec", role="secretary", organization=branch)
    page.goto("/accounts/login/")
    page.fill("input[name=username]", "qingzhi_sec")
    page.fill("input[name=password]", f.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)

    page.goto(f"/activities/new/?organization={branch.pk}")
    expect(page.locator("#attendance-grid tbody tr")).to_have_count(30)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

    page.select_option("select[name=kind]", "general_meeting")
    page.fill("input[name=held_on]", (dt.date.today() - dt.timedelta(days=1)).isoformat())
    page.fill("input[name=topic]", "第一季度党员大会")
    page.fill("input[name=host]", "王书记")
    page.fill("input[name=recorder]", "李委员")
    for m in members[:2]:
        page.select_option(f"select[name=status-{m.pk}]", "on_leave")
        page.fill(f"input[name=reason-{m.pk}]", "出差")
    page.select_option(f"select[name=status-{members[2].pk}]", "absent")
    page.fill("input[name=decision-0-motion]", "同意发展对象转为预备党员")
    page.fill("input[name=decision-0-yes]", "25")
    page.click("#activity-save")

    expect(page.locator("#quorum [data-quorum]")).to_have_attribute("data-quorum", "valid")
    assert len(posts) == 1, posts
    a = Activity.objects.get(organization=branch)
    assert a.attendances.filter(status="present").count() == 27
    assert a.attendances.filter(status="on_leave").count() == 2
    assert a.decisions.get().passed
    expect(page.locator("#attendance tbody tr[data-status=absent]")).to_have_count(1)
