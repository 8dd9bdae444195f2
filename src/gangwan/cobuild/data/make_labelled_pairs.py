"""Writes labelled_pairs.json: need ↔ resource pairs for the demo district (北仑区), the set on
which `make bench` measures the matching engine's top-3 hit rate.

Each topic below is a kind of need that the district's communities post and the kind of resource
that met it; a pair is one need of a topic in one area and the resource that met it, offered in the
same street (as usually happens) or, one time in four, elsewhere in the district. Several pairs
share a topic, so the right resource competes with look-alikes of the same topic in other streets.
Run: python src/gangwan/cobuild/data/make_labelled_pairs.py (deterministic, seed 2013).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

STREETS = {
    "新碶街道": [
        "高塘社区",
        "大港社区",
        "芙蓉社区",
        "长江社区",
        "黄山社区",
        "庐山社区",
        "华山社区",
    ],
    "小港街道": ["青峙社区", "向家村", "红联社区", "渡头社区", "枫林社区"],
    "大碶街道": ["九峰社区", "灵山社区", "璎珞社区", "横杨村", "共同村"],
    "霞浦街道": ["霞浦社区", "九曲社区", "新碶头村", "长山村"],
    "柴桥街道": ["紫石社区", "芦江社区", "河头村", "后所村"],
    "戚家山街道": ["蔚斗社区", "浦联社区", "联合社区"],
    "春晓街道": ["春晓社区", "昆亭村"],
    "梅山街道": ["梅山社区", "梅东村"],
}

ENTERPRISES = {
    "新碶街道": ["三星重工（宁波）有限公司", "宁波港集装箱码头公司", "北仑万达广场"],
    "小港街道": ["宁波博威合金公司", "小港物流园区", "宁波金田铜业公司"],
    "大碶街道": ["宁波吉利汽车制造有限公司", "宁波旭升汽车科技", "大碶模具园区"],
    "霞浦街道": ["宁波钢铁有限公司", "霞浦化工仓储公司", "台塑工业（宁波）"],
    "柴桥街道": ["柴桥电器工业园", "宁波大榭石化"],
    "戚家山街道": ["戚家山电厂", "宁波中金石化"],
    "春晓街道": ["春晓光电园", "宁波海天塑机"],
    "梅山街道": ["梅山保税港物流公司", "梅山水产合作社"],
}

# (category, resource kind, need texts, resource texts). {area} and {n} vary per pair.
TOPICS = [
    (
        "childcare",
        "funding",
        [
            "{area}适龄儿童{n}多名，附近没有公办幼儿园，家长每天跨街道接送，希望建一所普惠性幼儿园",
            "{area}新建小区入住后幼儿园学位严重不足，请求支持新建幼儿园",
        ],
        [
            "企业出资捐建普惠性幼儿园，可承担土建和教学设备费用",
            "公益基金支持社区新建或改扩建幼儿园，资助学位建设",
        ],
    ),
    (
        "childcare",
        "people",
        [
            "{area}双职工家庭多，放学后孩子无人看管，需要志愿者开展四点半课堂作业辅导",
            "暑假期间{area}孩子无处可去，希望开设暑期托管班，需要辅导老师",
        ],
        [
            "在职党员教师志愿者，可在放学后开展四点半课堂作业辅导",
            "大学生志愿者团队暑期支教，可承担暑期托管班课程和作业辅导",
        ],
    ),
    (
        "childcare",
        "expertise",
        [
            "{area}外来务工家庭子女心理问题较多，需要儿童心理咨询和家庭教育讲座",
            "{area}家长反映孩子沉迷手机，希望请专家开展家庭教育讲座",
        ],
        [
            "心理咨询师党员志愿者，提供儿童心理辅导和家庭教育讲座",
            "区妇联家庭教育讲师团，可进社区开展亲子沟通和家庭教育讲座",
        ],
    ),
    (
        "environment",
        "site",
        [
            "{area}内河清淤，清出淤泥约{n}立方米无处堆放，急需临时堆放场地",
            "河道疏浚工程淤泥没有消纳场地，工程停滞，请求协调淤泥堆放点",
        ],
        [
            "企业厂区内有闲置空地，可作为河道清淤淤泥临时堆放和晾晒场地",
            "企业闲置堆场可接收疏浚淤泥，配合消纳处置",
        ],
    ),
    (
        "environment",
        "people",
        [
            "{area}背街小巷卫生死角多，垃圾分类推进难，需要志愿者入户宣传和清理",
            "{area}创建卫生村，房前屋后乱堆放需要集中清理整治",
        ],
        [
            "企业党员志愿服务队每月一次进社区开展环境清理和垃圾分类宣传",
            "青年志愿者队伍可参与村居环境整治和卫生死角清理",
        ],
    ),
    (
        "environment",
        "equipment",
        [
            "{area}绿化带树木需要修剪，社区缺少高空作业车",
            "台风过后{area}倒伏树木多，需要吊车和油锯清障",
        ],
        [
            "企业可提供高空作业车和操作人员，支持社区绿化修剪",
            "企业应急抢险队有吊车和油锯，可支援台风后倒伏树木清障",
        ],
    ),
    (
        "environment",
        "expertise",
        [
            "{area}居民反映附近企业有异味，希望了解企业环保设施运行情况",
            "{area}居民对工业企业污染有疑虑，想组织居民实地参观环保设施",
        ],
        [
            "企业环保设施开放日，欢迎社区居民参观脱硫除尘和污水处理设备",
            "企业环保部门可接待居民参观，讲解环保设备运行和排放监测",
        ],
    ),
    (
        "venues",
        "venue",
        [
            "{area}老年门球队{n}人，一直没有固定训练场地，希望借用门球场",
            "企业退休职工门球队缺少训练场地，也找不到对手切磋",
        ],
        [
            "单位职工活动中心门球场，工作日上午空闲，可免费借给老年门球队训练",
            "社区有标准门球场，每周二、四上午开放，欢迎外来球队交流比赛",
        ],
    ),
    (
        "venues",
        "venue",
        [
            "{area}篮球爱好者多，晚上没有灯光球场可用",
            "{area}青年职工下班后想打篮球，附近没有开放的篮球场",
        ],
        ["学校灯光篮球场晚间和周末向周边居民开放", "企业篮球场下班后对社区青年开放，可组织友谊赛"],
    ),
    (
        "venues",
        "venue",
        [
            "{area}居民活动室面积太小，排练合唱和舞蹈时容纳不下",
            "{area}党员活动日找不到能容纳{n}人的会议场地",
        ],
        [
            "企业多功能厅可容纳200人，周末可借给社区开展文体排练和会议",
            "党群服务中心会议室和多功能厅对辖区单位预约开放",
        ],
    ),
    (
        "venues",
        "people",
        [
            "{area}门球队想找对手打友谊赛，缺少交流对象",
            "{area}老年体育队伍希望和其他社区结对切磋比赛",
        ],
        ["社区老党员门球队，欢迎外单位球队约赛交流", "区老年体协可牵线组织门球和太极拳交流比赛"],
    ),
    (
        "elderly",
        "people",
        [
            "{area}独居老人{n}位，日常缺少探望，需要志愿者结对定期上门",
            "{area}高龄空巢老人多，希望有人每周上门陪聊和代购",
        ],
        [
            "党员志愿者结对独居老人，每周上门探望陪伴",
            "“一员双岗”党员认领空巢老人，定期上门陪聊代购",
        ],
    ),
    (
        "elderly",
        "expertise",
        [
            "{area}老人慢性病多，希望医生定期进社区义诊和测血压",
            "{area}老年人健康知识缺乏，需要医生开展健康讲座和义诊",
        ],
        [
            "医院党员医生志愿服务队，每月进社区义诊、测血压血糖",
            "社区卫生服务中心家庭医生团队可开展健康讲座和上门随访",
        ],
    ),
    (
        "elderly",
        "funding",
        ["{area}居家养老服务站缺少运营经费，助餐服务难以维持", "{area}老年食堂建设需要资金支持"],
        [
            "企业捐资支持社区居家养老服务站和老年食堂运营",
            "慈善基金资助老年助餐服务，每年可补助运营经费",
        ],
    ),
    (
        "elderly",
        "people",
        ["{area}行动不便老人理发难，需要志愿者上门理发", "{area}老人希望有人定期上门理发修脚"],
        [
            "党员理发志愿服务队每月上门为老人免费理发",
            "美发店党员店主愿意每月一次为社区老人义务理发",
        ],
    ),
    (
        "employment",
        "expertise",
        [
            "{area}失业人员和外来务工人员需要职业技能培训，提升就业能力",
            "{area}下岗人员{n}名，希望开展电工焊工等技能培训",
        ],
        [
            "职业学校可开设电工、焊工、数控技能培训班，免费培训",
            "企业培训中心可接收社区失业人员参加职业技能培训",
        ],
    ),
    (
        "employment",
        "people",
        ["{area}求职人员多，希望举办家门口的招聘会", "{area}困难家庭成员就业难，需要对接企业岗位"],
        [
            "区人力社保局可进社区举办专场招聘会，提供岗位信息",
            "企业人力资源部提供普工和技工岗位，优先招聘困难家庭成员",
        ],
    ),
    (
        "enterprise",
        "expertise",
        [
            "{area}中小企业劳动纠纷多，需要法律咨询和合同审查服务",
            "辖区企业对用工合同和劳动法规不熟悉，希望律师上门讲解",
        ],
        [
            "律师事务所党员律师组成企业顾问团，提供法律咨询和合同审查",
            "企业顾问团法律服务小组，每月到园区坐诊解答劳动用工问题",
        ],
    ),
    (
        "enterprise",
        "expertise",
        [
            "{area}小微企业财务不规范，需要财税政策辅导",
            "企业对最新减税降费政策不了解，希望税务专家上门辅导",
        ],
        [
            "会计师事务所党员志愿者提供财务和税务政策辅导",
            "税务分局服务队进园区宣讲减税降费政策，一对一辅导",
        ],
    ),
    (
        "enterprise",
        "people",
        [
            "{area}企业周末订单多，临时缺少帮工，希望有“星期六雇员”帮忙",
            "企业生产旺季缺人手，希望机关干部周末到企业帮忙解决难题",
        ],
        [
            "“星期六雇员”机关党员干部周末到企业服务，帮助解决实际困难",
            "机关干部“星期六雇员”服务队，双休日进企业协调审批和用工问题",
        ],
    ),
    (
        "enterprise",
        "expertise",
        [
            "{area}企业想组建工会和党组织，不清楚程序，需要指导",
            "外资企业希望成立工会，需要有经验的人指导筹建",
        ],
        [
            "区总工会和社区党建指导员上门指导企业组建工会",
            "党建指导员可指导非公企业组建党组织和工会",
        ],
    ),
    (
        "culture",
        "expertise",
        ["{area}居民想学书法国画，缺少老师", "{area}老年大学开设书法班，需要书法老师授课"],
        ["退休书法家党员志愿者，可每周开设书法国画公益课", "文化站书法老师可到社区开设书法培训班"],
    ),
    (
        "culture",
        "equipment",
        ["{area}文艺队演出缺少音响设备和舞台灯光", "{area}社区晚会需要租借音响和舞台"],
        [
            "企业工会有整套演出音响和灯光设备，可借给社区文艺演出",
            "文化站可出借移动舞台和音响设备支持社区晚会",
        ],
    ),
    (
        "culture",
        "funding",
        [
            "{area}农家书屋图书陈旧，希望更新图书和阅读设施",
            "{area}想建一个社区图书角，缺少图书和书架",
        ],
        [
            "区图书馆可在社区设立流动图书服务点，定期更换图书",
            "企业捐赠图书和书架，支持社区建设图书角和农家书屋",
        ],
    ),
    (
        "culture",
        "people",
        [
            "{area}外来务工人员春节留守，希望组织文艺联欢活动",
            "{area}新居民多，想组织新老居民联谊活动，促进融合",
        ],
        [
            "企业文艺队可进社区演出，参与春节联欢和新居民联谊",
            "社会组织可策划组织新老居民融合联谊活动",
        ],
    ),
    (
        "safety",
        "expertise",
        [
            "{area}出租房多，消防隐患大，需要消防安全培训和检查",
            "{area}老旧小区电动车楼道充电，希望开展消防安全宣传",
        ],
        [
            "消防救援站可进社区开展消防安全培训和隐患排查",
            "企业专职消防队党员可为社区开展消防演练和安全宣传",
        ],
    ),
    (
        "safety",
        "people",
        [
            "{area}夜间治安不好，希望组织志愿者夜间巡逻",
            "{area}学校门口上下学时段交通混乱，需要护学志愿者",
        ],
        ["党员平安巡逻队每晚在辖区开展治安巡逻", "退役军人志愿者可担任护学岗，维护校门口交通秩序"],
    ),
    (
        "safety",
        "expertise",
        [
            "{area}老旧小区电线老化，居民家里经常跳闸，需要电工检修",
            "{area}困难家庭水电维修没人做，希望有志愿者上门维修",
        ],
        [
            "供电公司党员服务队上门检修老旧线路，免费更换插座开关",
            "党员电工维修志愿队，为困难家庭免费上门水电维修",
        ],
    ),
    (
        "safety",
        "expertise",
        [
            "{area}邻里纠纷多，需要有经验的人参与调解",
            "{area}物业和业主矛盾突出，希望有专业人员调解",
        ],
        [
            "人民调解员和党员律师可参与社区矛盾纠纷调解",
            "退休法官党员志愿者调解工作室，调解邻里和物业纠纷",
        ],
    ),
    (
        "other",
        "equipment",
        ["{area}防汛物资不足，缺少沙袋和抽水泵", "{area}汛期低洼地段容易积水，需要抽水设备"],
        [
            "企业应急仓库可提供沙袋和大功率抽水泵支援防汛",
            "水利部门可调配移动抽水泵车支援低洼地段排涝",
        ],
    ),
    (
        "other",
        "people",
        [
            "{area}疫苗接种和人口普查等工作量大，需要临时志愿者帮忙",
            "{area}入户调查任务重，社区工作人员不够，需要志愿者",
        ],
        [
            "流动党员突击队可随时听候社区调用，参与入户调查",
            "在职党员双报到志愿者，可参与社区入户走访和登记",
        ],
    ),
]


def main() -> None:
    rng = random.Random(2013)
    streets = list(STREETS)
    pairs = []
    n_pairs = 0
    per_topic = 7
    for t, (category, kind, need_texts, resource_texts) in enumerate(TOPICS):
        chosen_streets = rng.sample(streets, per_topic)
        for j, street in enumerate(chosen_streets):
            area = rng.choice(STREETS[street])
            need_text = need_texts[j % len(need_texts)].format(area=area, n=rng.randint(12, 300))
            # One time in four the resource stands in another street.
            rstreet = street if rng.random() >= 0.25 else rng.choice(streets)
            rarea = rng.choice(STREETS[rstreet])
            holder = rng.choice(ENTERPRISES[rstreet])
            resource_text = resource_texts[(j + t) % len(resource_texts)]
            n_pairs += 1
            pairs.append(
                {
                    "id": n_pairs,
                    "topic": t,
                    "need": {
                        "category": category,
                        "street": street,
                        "area": area,
                        "text": need_text,
                    },
                    "resource": {
                        "category": category,
                        "kind": kind,
                        "street": rstreet,
                        "area": rarea,
                        "holder": holder,
                        "text": f"{holder}：{resource_text}",
                    },
                }
            )
    out = Path(__file__).with_name("labelled_pairs.json")
    out.write_text(
        json.dumps(
            {"district": "北仑区", "streets": STREETS, "pairs": pairs},
            ensure_ascii=False,
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"{len(pairs)} pairs written to {out}")


if __name__ == "__main__":
    main()
