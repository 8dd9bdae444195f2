from gangwan.members.selectors import subtree_member_count
from tests import factories as f


def test_district_fixture_builds_a_tree(district):
    assert district.gaotang.path.startswith(district.xinqi.path)
    m = f.member(district.gaotang_committee)
    assert subtree_member_count(path=district.committee.path) == 1
    assert m.id_number_masked.startswith("9902") and "*" in m.id_number_masked
