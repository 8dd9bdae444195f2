"""Word lists for the demo district: streets, place names, people's names, unit names.

Everything here is data. Streets and the named communities, villages and enterprises come from the
seed (seed/README.md); every other name is invented from these parts and only looks real.
"""

from __future__ import annotations

# (name, pinyin for account names, residential communities, villages, industrial communities)
STREETS = [
    ("新碶街道", "xinqi", 22, 4, 2),
    ("小港街道", "xiaogang", 8, 22, 1),
    ("大碶街道", "daqi", 12, 24, 2),
    ("霞浦街道", "xiapu", 5, 14, 1),
    ("柴桥街道", "chaiqiao", 5, 26, 0),
    ("戚家山街道", "qijiashan", 6, 6, 1),
    ("春晓街道", "chunxiao", 3, 12, 0),
    ("梅山街道", "meishan", 3, 9, 1),
    ("白峰街道", "baifeng", 3, 12, 0),
]

# The seed's named areas: (street, name, kind, residents, newcomers). None = drawn like the others.
NAMED_AREAS = [
    ("新碶街道", "高塘社区", "residential", 9800, 6400),
    ("新碶街道", "大港社区", "industrial_community", 0, 62000),
    ("新碶街道", "芙蓉社区", "residential", None, None),
    ("小港街道", "青峙社区", "residential", None, None),
    ("小港街道", "向家村", "village", 1500, 10380),
]

RESIDENTIAL_NAMES = (
    "长江 黄山 庐山 华山 泰山 嵩山 衡山 岷山 天山 恒山 峨眉 太河 明州 新城 东方 红联 新华 中河 大河 "
    "金山 银杏 紫荆 春华 星城 富春 万景 江南 凤凰 紫薇 新丰 和美 滨海 港湾 海景 锦江 珠江 长白 九龙 "
    "翠屏 碧海 阳光 启明 柳汀 望海 新建 振兴 文化 人民 友谊 东河 西河 南苑 北苑 东岗 华泰 海天 "
    "淮河 汉江 湘江 漓江 沱江 岷江 钱塘 兰亭 桃源 梧桐 香樟 银桂 玉兰 海韵 星海 东湖 西湖 南湖 "
    "清水 柏峰 九峰 算山 昆亭 明港 新港 甬江 育才 青年 和平 团结 幸福 安居 康乐 永安"
).split()
INDUSTRIAL_NAMES = "临港 港城 滨江 联合 星阳 白石 穿山 保税 物流园 青林".split()
VILLAGE_FIRST = list(
    "上下东西南北新大小前后中外里高长石沙河山林竹梅柳桃杨王张周胡陈邬应贺俞戚乐童忻竺郭李洪"
)
VILLAGE_SECOND = list("家岙塘浦头桥湾岭峙港山洋礁隘碶埠田洪墩坝溪墅宅园庄")

# Surnames with weights (per mille, rounded from the 2020 census for the country, and a
# Ningbo-flavoured list for members born here).
SURNAMES_NATIONAL = {
    "王": 71,
    "李": 70,
    "张": 67,
    "刘": 54,
    "陈": 45,
    "杨": 31,
    "黄": 22,
    "赵": 22,
    "吴": 20,
    "周": 19,
    "徐": 16,
    "孙": 15,
    "马": 14,
    "朱": 13,
    "胡": 13,
    "郭": 12,
    "何": 12,
    "林": 11,
    "高": 11,
    "罗": 10,
    "郑": 9,
    "梁": 9,
    "谢": 8,
    "宋": 8,
    "唐": 8,
    "许": 7,
    "韩": 7,
    "冯": 7,
    "邓": 7,
    "曹": 6,
    "彭": 6,
    "曾": 6,
    "肖": 6,
    "田": 5,
    "董": 5,
    "潘": 5,
    "袁": 5,
    "蔡": 5,
    "蒋": 5,
    "余": 5,
    "于": 5,
    "杜": 5,
    "叶": 4,
    "程": 4,
    "魏": 4,
    "苏": 4,
    "吕": 4,
    "丁": 4,
    "任": 4,
    "卢": 4,
    "姚": 4,
    "沈": 4,
    "钟": 4,
    "姜": 4,
    "崔": 3,
    "谭": 3,
    "陆": 3,
    "范": 3,
    "汪": 3,
    "廖": 3,
    "石": 3,
    "金": 3,
    "韦": 3,
    "贾": 3,
    "夏": 3,
    "付": 3,
    "方": 3,
    "邹": 2,
    "熊": 2,
    "白": 2,
    "孟": 2,
    "秦": 2,
    "邱": 2,
    "侯": 2,
    "江": 2,
    "尹": 2,
    "薛": 2,
    "闫": 2,
    "段": 2,
    "雷": 2,
    "龙": 2,
    "黎": 2,
    "史": 2,
    "陶": 2,
    "贺": 2,
    "毛": 2,
    "郝": 2,
    "顾": 2,
    "龚": 2,
    "邵": 2,
    "万": 2,
    "覃": 1,
    "武": 1,
    "钱": 1,
    "戴": 1,
    "严": 1,
    "莫": 1,
    "孔": 1,
    "向": 1,
    "常": 1,
    "汤": 1,
}
SURNAMES_LOCAL = {
    "陈": 60,
    "王": 55,
    "张": 40,
    "李": 30,
    "林": 28,
    "胡": 26,
    "徐": 25,
    "周": 22,
    "应": 18,
    "俞": 16,
    "邬": 14,
    "竺": 8,
    "忻": 8,
    "乐": 10,
    "贺": 12,
    "虞": 10,
    "董": 14,
    "孙": 15,
    "杨": 14,
    "吴": 16,
    "朱": 14,
    "金": 14,
    "钱": 8,
    "沈": 12,
    "郑": 16,
    "叶": 12,
    "方": 10,
    "毛": 8,
    "蒋": 8,
    "黄": 14,
    "刘": 14,
    "赵": 8,
    "范": 7,
    "丁": 7,
    "柴": 5,
    "戚": 6,
    "邵": 7,
    "包": 6,
    "袁": 7,
    "施": 6,
    "童": 6,
    "鲍": 5,
    "傅": 7,
    "史": 5,
    "屠": 4,
    "谢": 7,
    "任": 5,
    "汪": 6,
    "葛": 5,
    "江": 5,
    "夏": 5,
    "顾": 5,
}

# Given names by gender and the era of birth (before 1965, 1965–1984, 1985 on).
GIVEN = {
    (
        "male",
        0,
    ): "建国 建华 国强 国平 国庆 志明 志刚 德明 德华 福林 福根 根宝 金龙 金根 永康 永年 卫东 "
    "卫国 文华 文斌 海明 家祥 庆丰 祖德 荣华 长林 宝林 兴华 信康 达成 仁杰 善良 安邦 明德",
    (
        "male",
        1,
    ): "伟 勇 军 杰 涛 斌 强 鹏 磊 波 华 明 平 刚 辉 海波 海军 建军 晓东 晓峰 立新 立军 卫华 "
    "振华 明华 俊杰 志勇 国华 剑 锋 峰 亮 超 健 凯 宁 红军 建平 旭东 雪峰 永刚 云飞 海涛",
    (
        "male",
        2,
    ): "浩然 子轩 宇航 鹏飞 一鸣 晨阳 家豪 嘉伟 天宇 博文 浩宇 梓豪 文博 宇 浩 轩 哲 睿 昊 "
    "航 杨帆 子豪 俊熙 思远 泽宇 明轩 皓 翔 晨 琦 逸凡 乐天 锦程 宏宇 嘉诚 佳乐",
    (
        "female",
        0,
    ): "秀英 桂英 秀兰 玉兰 桂兰 玉珍 凤英 美华 素珍 爱华 月英 秀珍 金凤 彩娣 菊英 翠英 "
    "雪琴 美娟 丽华 阿娣 亚芬 素芬 爱娣 杏娟 月娥 惠芳 银娣",
    (
        "female",
        1,
    ): "丽 芳 娟 敏 静 艳 燕 霞 红 萍 玲 丽娟 海燕 春燕 晓燕 晓红 美玲 雪梅 红梅 丽萍 建英 "
    "慧 颖 琳 洁 亚萍 巧玲 素娟 伟红 海霞 丹 蕾 幸 君",
    (
        "female",
        2,
    ): "欣怡 梓涵 思雨 雨萱 佳怡 诗涵 婷婷 晓雯 佳琪 梦瑶 雨婷 可馨 一诺 子涵 依依 文静 悦 "
    "琪 妍 璐 若曦 静怡 诗雨 雅琴 嘉怡 心怡 晨曦 梦洁 思琪 乐瑶 佳慧",
}
GIVEN = {k: v.split() for k, v in GIVEN.items()}

# Area codes (after the test prefix 99 replaces the province) for members born in the district,
# elsewhere in Ningbo, and for floating members by province of origin.
LOCAL_AREAS = ["990206"] * 7 + ["990203", "990211", "990212", "990282"]
ORIGIN_AREAS = {  # province → area codes under the test prefix
    "四川": ["995101", "995107", "995113"],
    "安徽": ["993401", "993412", "993413"],
    "河南": ["994101", "994115"],
    "江西": ["993601", "993611"],
    "湖北": ["994201", "994211"],
    "湖南": ["994301", "994305"],
    "贵州": ["995201", "995224"],
    "重庆": ["995001", "995002"],
    "山东": ["993701", "993713"],
    "江苏": ["993201", "993208"],
    "云南": ["995301"],
    "甘肃": ["996201"],
}
MOBILE_PREFIXES = (
    "139 138 137 136 135 134 150 151 152 157 158 159 182 183 187 188 130 131 132 "
    "155 156 185 186 133 153 180 181 189 177 199 166 176 173 198 191"
).split()

# Unit names.
TRADE_FIRST = list(
    "恒华海瑞永金鑫东博联宏凯天新港甬北嘉中众宝德汇泰盛兴昌隆源达顺丰荣晟俊卓申亿佳明正诚信远益鼎通创星"
)
TRADE_SECOND = list("远盛丰信鼎达通诚利泰源昌隆兴发宇海创恒辉瑞祥宏泽锦腾航力特凯")
INDUSTRIES = (
    "机械制造 模具 塑料制品 五金 汽车零部件 电子 化工 物流 国际贸易 港口服务 船舶配件 不锈钢 电器 "
    "液压 纺织 服饰 食品 建材 新材料 精密铸造 电气 包装 环保科技 信息技术 建设工程 供应链管理 "
    "仓储 货运代理 文具 照明 光电 轴承 紧固件 印刷 家居用品 压铸 注塑 阀门 工贸"
).split()
SOCIAL_BODIES = (
    "物流行业协会 模具行业协会 电子行业协会 汽配商会 餐饮行业协会 家政服务社 慈善服务社 老年协会 书画协会 "
    "摄影协会 外来务工人员服务中心 青年创业协会 志愿者协会 社会工作服务中心 义工服务队 科普协会 "
    "乡贤参事会 棋类协会 民宿协会 文体协会"
).split()

# District agencies (宁波市北仑区…) and district institutions.
DISTRICT_AGENCIES = (
    "区委办公室 区委组织部 区人大常委会办公室 区政府办公室 区政协办公室 区纪委区监委 区委宣传部 "
    "区委统战部 区委政法委 区发展和改革局 区教育局 区科学技术局 区经济和信息化局 公安分局 区民政局 "
    "区司法局 区财政局 区人力资源和社会保障局 区住房和城乡建设局 区交通运输局 区农业农村局 "
    "区商务局 区文化和广电旅游体育局 区卫生健康局 区应急管理局 区审计局 区市场监督管理局 "
    "区统计局 区医疗保障局 区综合行政执法局 区退役军人事务局 区人民法院 区人民检察院 区总工会 "
    "区团委 区妇联"
).split()
DISTRICT_INSTITUTIONS = (
    "区人民医院 区中医院 区档案馆 区图书馆 区职业高级中学 区实验中学 区疾病预防控制中心".split()
)
STREET_INSTITUTIONS = (
    "社区卫生服务中心 中心小学 中心幼儿园 初级中学 成人文化技术学校 文化站 "
    "综合服务中心 退役军人服务站"
).split()

# Named enterprises of the seed: (area, name, kind, employees, members, union founded).
NAMED_UNITS = [
    ("大港社区", "三星重工（宁波）有限公司", "foreign_enterprise", 3200, 26, "2012-05-18"),
    ("大碶街道*", "宁波吉利汽车制造有限公司", "private_enterprise", 4200, 168, "2006-09-20"),
    ("霞浦街道*", "宁波钢铁有限公司", "state_enterprise", 5800, 640, "2004-03-12"),
]

ORDINALS = "一二三四五六七八九十"


def ordinal(n: int) -> str:
    """第n as Chinese (1–99)."""
    if n <= 10:
        return ORDINALS[n - 1]
    tens, ones = divmod(n, 10)
    return (ORDINALS[tens - 1] if tens > 1 else "") + "十" + (ORDINALS[ones - 1] if ones else "")


# Names a generated person must never carry: national leaders and officials whose names every
# reader knows (a demo pioneer called 周永康 would embarrass any district).
FORBIDDEN_FULL_NAMES = frozenset(
    """毛泽东 周恩来 刘少奇 朱德 邓小平 陈云 华国锋 胡耀邦 赵紫阳 江泽民 李鹏 朱镕基 胡锦涛 温家宝
    吴邦国 贾庆林 曾庆红 李长春 罗干 习近平 李克强 张德江 俞正声 刘云山 王岐山 张高丽 李强 赵乐际
    王沪宁 蔡奇 丁薛祥 李希 栗战书 汪洋 韩正 周永康 薄熙来 令计划 徐才厚 郭伯雄 孙政才 王立军
    彭丽媛 林彪 江青 王洪文 张春桥 姚文元 陈伯达 康生""".split()
)
