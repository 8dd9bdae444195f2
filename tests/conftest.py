import pytest

from tests import factories as f


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Argon2 stays the production hasher (tested in test_accounts); tests hash quickly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class District:
    """A small district with two streets, three communities and a few organizations:

    北仑区 ─ 新碶街道 ─ 高塘社区 (residential), 大港社区 (industrial)
           └ 小港街道 ─ 青峙社区
    Organizations: 区委 (committee, district) → 新碶街道党工委 → 高塘社区党委, 大港社区区域综合党支部 …
    """

    def __init__(self):
        self.district = f.district()
        self.xinqi = f.street(self.district, "新碶街道")
        self.xiaogang = f.street(self.district, "小港街道")
        self.gaotang = f.community(self.xinqi, "高塘社区")
        self.dagang = f.community(self.xinqi, "大港社区", kind="industrial_community")
        self.qingzhi = f.community(self.xiaogang, "青峙社区")
        self.committee = f.organization("中共北仑区委", "committee", self.district)
        self.xinqi_wc = f.organization(
            "新碶街道党工委", "working_committee", self.xinqi, self.committee
        )
        self.xiaogang_wc = f.organization(
            "小港街道党工委", "working_committee", self.xiaogang, self.committee
        )
        self.gaotang_committee = f.organization(
            "高塘社区党委", "committee", self.gaotang, self.xinqi_wc
        )
        self.dagang_regional = f.organization(
            "大港社区区域综合党支部", "regional_branch", self.dagang, self.xinqi_wc
        )
        self.qingzhi_committee = f.organization(
            "青峙社区党委", "committee", self.qingzhi, self.xiaogang_wc
        )


@pytest.fixture
def district(db):
    return District()
