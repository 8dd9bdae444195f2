from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExemplarsConfig(AppConfig):
    name = "gangwan.exemplars"
    label = "exemplars"
    verbose_name = _("Exemplars")
    # R45 (local practice, CONFIG): the defaults a district's first scheme version starts from.
    # Criteria are data (a district renames them); the defaults follow the "六有" targets (R46).
    rule_defaults: dict = {
        "R45.criteria": [
            ["组织领导坚强", "scored", 15],
            ["骨干队伍过硬", "scored", 15],
            ["服务场所完善", "scored", 15],
            ["服务载体丰富", "scored", 15],
            ["制度机制健全", "scored", 15],
            ["服务成效明显", "scored", 15],
            ["群众评价满意", "scored", 10],
            ["创新特色项目", "innovation", 10],
            ["班子成员严重违纪违法", "veto", 0],
            ["发生重大安全责任事故", "veto", 0],
            ["发生群体性事件", "veto", 0],
        ],
        "R45.bands": [[5, 90], [4, 80], [3, 70], [2, 60], [1, 0]],
        "R45.five_star_needs_innovation": True,
        "R45.five_star_share": 30,
        "R45.one_step_up": True,
        "R45.cycle_months": 12,
        "R45.reviewers_needed": 2,
        "R45.satisfaction_weight": 0,
        "R45.notice_days": 5,
        "R45.notice_working_days": True,
    }
