"""Vocabulary for plausible demo entities: trade names (字号), industries with GB/T 4754 codes,
shop types for individual businesses, surnames and given names. Invented combinations;
any resemblance to a real registered entity is coincidence."""

from __future__ import annotations

# 字号: two-character trade names typical of the region.
TRADE_NAMES = tuple(
    "鲁西 丰华 金穗 润泽 华信 鑫源 泰和 恒达 宏图 瑞丰 嘉禾 东昌 运河 水城 凤凰 光岳 聚丰 信诚 德润 康盛 "
    "福瑞 祥和 百川 汇通 永兴 盛世 同心 安泰 长城 晋阳 并州 汾河 太行 燕赵 滹沱 正定 冀中 常山 华北 "
    "鲁信 齐鲁 黄河 泉城 泰山 沂蒙 牡丹 鄄州 雷泽 孙膑 舜王 临清 高唐 阳谷 东阿 茌平 冠州 莘亭 "
    "金桥 银河 新元 宇辰 博远 天成 中润 鸿运 和谐 大业 明德 瑞祥 久益 万家 惠民 丰源 兴旺 晨光 "
    "佳美 诚达 顺通 绿源 蓝天 绿洲 清泉 春晖 金达 立信 恒昌 益康 隆兴 广源 宏大 振华 新华 利民".split()
)

# (industry word in the name, GB/T 4754-2017 code, check field of the typical inspection)
INDUSTRIES: tuple[tuple[str, str, str], ...] = (
    ("食品", "C1499", "food"),
    ("食品销售", "F5221", "food"),
    ("餐饮管理", "H6210", "food"),
    ("商贸", "F5211", "general"),
    ("超市", "F5212", "food"),
    ("医药", "F5251", "drug"),
    ("大药房连锁", "F5251", "drug"),
    ("燃气", "D4511", "special_equipment"),
    ("石油销售", "F5265", "special_equipment"),
    ("化工", "C2614", "work_safety"),
    ("机械制造", "C3429", "product_quality"),
    ("建材", "F5132", "product_quality"),
    ("纺织", "C1713", "product_quality"),
    ("电线电缆", "C3831", "product_quality"),
    ("物流", "G5990", "general"),
    ("建筑工程", "E4790", "work_safety"),
    ("农业科技", "A0190", "general"),
    ("环保科技", "N7723", "environment"),
    ("电梯工程", "E4910", "special_equipment"),
    ("酒店管理", "H6110", "health"),
)

COMPANY_FORMS = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司")

# Individual businesses (个体工商户): named after the operator, as many are.
SHOPS: tuple[tuple[str, str, str], ...] = (
    ("百货店", "F5211", "general"),
    ("便利店", "F5212", "food"),
    ("超市", "F5212", "food"),
    ("饭店", "H6210", "food"),
    ("小吃店", "H6220", "food"),
    ("烧烤店", "H6220", "food"),
    ("水果店", "F5223", "food"),
    ("五金店", "F5234", "product_quality"),
    ("诊所", "Q8421", "health"),
    ("药店", "F5251", "drug"),
    ("理发店", "O8010", "health"),
    ("烟酒店", "F5226", "general"),
    ("粮油店", "F5221", "food"),
    ("汽车修理部", "O8111", "general"),
)

COOPERATIVES: tuple[tuple[str, str], ...] = (
    ("粮食种植专业合作社", "A0111"),
    ("果蔬种植专业合作社", "A0141"),
    ("畜牧养殖专业合作社", "A0311"),
    ("农机服务专业合作社", "A0513"),
)

SURNAMES = tuple("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎")
GIVEN = tuple("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国红梅志强海燕春生立新凤")

STREETS = tuple("人民路 建设路 解放路 光明路 东风路 新华路 胜利路 和平路 团结路 振兴街 柳园路 昌润路 中山路 "
                "育新街 兴华路 东关街 古泉街道 花园路".split())

# Short forms used in penalty decision numbers (聊市监处罚〔2025〕118号).
REGION_ABBR = {"37": "鲁", "3715": "聊", "371726": "鄄", "3717": "菏", "14": "晋", "1401": "并",
               "13": "冀", "1301": "石"}
DEPT_ABBR = {"scjg": "市监处罚", "sthj": "环罚", "yjgl": "应急罚", "wsjk": "卫健罚", "xfjy": "消行罚",
             "zjj": "建罚", "yjj": "药监罚", "sw": "商务罚", "nync": "农罚", "jtys": "交罚"}
# The inspection field each kind of department usually checks.
DEPT_FIELDS = {"scjg": ("general", "food", "special_equipment", "product_quality"), "sthj": ("environment",),
               "yjgl": ("work_safety",), "wsjk": ("health",), "xfjy": ("fire",), "zjj": ("special_equipment",),
               "yjj": ("drug",), "sw": ("general",), "nync": ("food",), "jtys": ("general",)}
DEPT_TOPIC = {"general": "经营主体登记事项和公示信息", "food": "食品经营者食品安全", "drug": "药品零售企业质量管理",
              "special_equipment": "特种设备安全", "product_quality": "重点工业产品质量",
              "environment": "排污单位污染物排放", "work_safety": "安全生产", "fire": "消防安全",
              "health": "公共场所卫生", "other": "综合"}
