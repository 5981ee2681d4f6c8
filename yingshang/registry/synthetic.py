"""Realistic synthetic Shanghai market entities, deterministic for a seed, fast at scale.

Used by ``yingshang seed`` for demos, tests and the 3.2-million-entity benchmark. Nothing
here touches the database: :func:`generate` yields chunks of row tuples in the column order
of :data:`COLUMNS`; :mod:`yingshang.registry.seeding` loads them.

Determinism: row ``i`` belongs to chunk ``i // CHUNK_SIZE``, and each chunk draws from its
own ``random.Random`` seeded with ``(seed, chunk)``, so the same seed and count give the same
rows on every run, in one process or several.

Shares and their basis. These are assumptions, rounded, approximating figures the
Shanghai authorities publish (the district and type breakdowns of 实有经营主体 in the
releases of 上海市市场监督管理局 and the 上海统计年鉴; the 2018 economic census bulletin,
第四次全国经济普查上海公报). They were written from those publications' broad shape and
have not been checked against the sources here (no network); the platform needs plausible
mixes, not statistics. Tests assert the shares stay within the ranges below.

* **Districts.** 浦东新区 about a quarter; the outer districts (闵行, 嘉定, 松江, 奉贤, 宝山,
  青浦, 金山) 5-9 % each; 崇明 far above its population share (about 7 %) because of the
  registered-address firms in its economic zones; the seven central districts 2-3 % each.
  :data:`DISTRICTS` encodes that.
* **Entity types.** About 3.3 million entities, of which about 82 % enterprises (branches
  included), about 17.5 % individual businesses and about 0.1 % farmers' cooperatives.
  Among enterprises, limited companies dominate (most of them natural-person owned), then
  branches, partnerships, sole proprietorships, foreign-invested firms. See
  :data:`ENTITY_TYPES`.
* **Industries.** Enterprises lean to wholesale and retail (F), leasing and business
  services (L), technology services (M, I) and construction (E); F and L are the two largest
  sections by number of 法人单位 in the census. Individual businesses are mostly retail (F),
  catering (H) and personal services (O); cooperatives are agricultural (A).
* **Dates.** Founded 1990 to mid-2026, skewed to recent years (the 2014 商事制度改革 sped up
  registrations); older entities are more often revoked or cancelled.
* **People.** Surnames by their national frequency (2020 census), with the Shanghai names
  陆, 顾, 沈, 钱, 施 raised; ID numbers valid under GB 11643 with the address code of a
  Shanghai district for about 45 % and of other provinces (mostly 江苏, 安徽, 浙江) for
  the rest. All legal representatives have resident ID numbers, foreign-invested firms
  included (a simplification).
* **Credit codes.** :func:`yingshang.core.uscc.uscc_from_serial` with the entity's index as
  serial (from MA1F0000..., see :func:`serial_for`): valid, unique, issued in sequence as
  an authority issues them. The region part is the registering authority's: the district,
  or 310000 for the about 10 % of companies registered by the city bureau.
"""

from __future__ import annotations

import bisect
import datetime
import enum
import math
import random
import statistics
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate
from typing import Any

from yingshang.core.regions import all_regions, region_get
from yingshang.core.uscc import ALPHABET, SERIAL_LIMIT, uscc_from_serial

from .models import Currency, EntityType

CHUNK_SIZE = 50_000
REFERENCE_DATE = datetime.date(2026, 6, 30)  # "data as of": keeps rows independent of today
FIRST_YEAR = 1990

# The columns of a row tuple, in order; the same names as MarketEntity's database columns.
COLUMNS: tuple[str, ...] = (
    "id",
    "credit_code",
    "name",
    "entity_type",
    "legal_representative",
    "legal_representative_id_number",
    "registered_capital",
    "capital_currency",
    "established_on",
    "business_term_start",
    "business_term_end",
    "region_code",
    "address",
    "industry_code",
    "business_scope",
    "registration_authority",
    "status",
    "status_changed_on",
    "employees",
    "annual_revenue",
    "is_small_micro",
    "parent_credit_code",
    "version",
    "created_at",
    "updated_at",
)
Row = tuple[Any, ...]

# --- Districts: code, weight (% of all entities), places (street or town + road) --------

DISTRICTS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("310115", 24.5, ("张江路", "世纪大道", "浦东南路", "杨高中路", "金桥路", "川沙路",
                      "周浦镇年家浜路", "祖冲之路", "龙阳路", "康桥路", "航头镇沪南公路",
                      "南汇新城镇环湖西二路", "临港新片区申港大道", "自由贸易试验区富特北路",
                      "自由贸易试验区日京路", "惠南镇人民西路", "高桥镇季景北路", "三林路")),
    ("310112", 9.0, ("七莘路", "莘松路", "沪闵路", "虹井路", "颛兴路", "剑川路", "都市路",
                     "申长路", "吴中路", "浦江镇江月路", "梅陇镇莲花南路", "华漕镇纪鹤路")),
    ("310114", 8.5, ("城中路", "博乐路", "嘉松北路", "曹安公路", "叶城路", "沪宜公路",
                     "安亭镇墨玉南路", "南翔镇真南路", "马陆镇宝安公路", "江桥镇金园一路")),
    ("310117", 8.0, ("人民北路", "中山中路", "九亭镇九亭大街", "泗泾镇泗砖公路", "洞泾镇长兴东路",
                     "新桥镇新茸路", "文诚路", "广富林路", "荣乐东路", "车墩镇车亭公路")),
    ("310120", 7.5, ("南桥镇南亭公路", "金海公路", "望园路", "环城东路", "奉浦大道", "南奉公路",
                     "海湾镇五四公路", "庄行镇南亭公路", "青村镇奉柘公路", "柘林镇沪杭公路")),
    ("310151", 7.5, ("城桥镇西门路", "陈家镇瀛东村", "长兴镇潘园公路", "堡镇堡镇港东路",
                     "新河镇新申路", "竖新镇竖河路", "港西镇北双公路", "三星镇三星路",
                     "横沙乡富民路", "向化镇向化公路")),
    ("310113", 7.0, ("友谊路", "牡丹江路", "共和新路", "同济路", "蕴川路", "沪太路",
                     "长江西路", "宝杨路", "真华路", "逸仙路", "罗店镇美丹路", "月浦镇月罗路")),
    ("310118", 6.5, ("华新镇华腾路", "徐泾镇诸光路", "赵巷镇业辉路", "公园路", "外青松公路",
                     "崧泽大道", "城中北路", "淀山湖大道", "盈港东路", "华浦路")),
    ("310116", 5.0, ("卫零路", "龙胜路", "朱泾镇人民路", "亭林镇亭枫公路", "枫泾镇环东一路",
                     "山阳镇亭卫公路", "金山大道", "蒙山路", "万安街", "张堰镇松金公路")),
    ("310106", 3.0, ("南京西路", "共和新路", "万航渡路", "江场路", "天目中路", "北京西路",
                     "恒丰路", "灵石路", "汶水路", "康定路")),
    ("310104", 3.0, ("漕溪北路", "肇嘉浜路", "虹桥路", "宜山路", "田林路", "桂平路", "龙华中路",
                     "钦州路", "斜土路", "天钥桥路")),
    ("310110", 2.8, ("国定路", "政立路", "黄兴路", "控江路", "长阳路", "平凉路", "殷行路",
                     "翔殷路", "淞沪路", "军工路")),
    ("310107", 2.6, ("曹杨路", "中山北路", "真北路", "武宁路", "长寿路", "金沙江路", "大渡河路",
                     "铜川路", "祁连山路", "光复西路")),
    ("310101", 2.2, ("南京东路", "淮海中路", "西藏中路", "延安东路", "河南南路", "复兴中路",
                     "中山南路", "北京东路", "福州路", "金陵东路")),
    ("310105", 2.0, ("长宁路", "延安西路", "仙霞路", "天山路", "遵义路", "娄山关路", "金钟路",
                     "古北路", "愚园路", "哈密路")),
    ("310109", 2.0, ("四川北路", "东大名路", "曲阳路", "大连西路", "广粤路", "西江湾路",
                     "欧阳路", "海宁路", "吴淞路", "新市南路")),
)  # fmt: skip

# Registered-address parks (注册地址园区) in 崇明: about half of its companies sit in one.
CHONGMING_PARKS: tuple[tuple[str, str], ...] = (
    ("长兴镇潘园公路1800号", "上海泰和经济发展区"),
    ("城桥镇东门路", "上海城桥经济开发区"),
    ("新河镇新申路921弄", "上海富盛经济开发区"),
    ("横沙乡富民支路58号", "上海横泰经济开发区"),
    ("堡镇堡镇南路58号", "上海堡镇经济小区"),
    ("陈家镇前卫村前卫公路", "上海智慧岛数据产业园"),
)
# Districts where farmers' cooperatives are registered, with relative weights.
FARMING_DISTRICTS = {"310151": 30, "310116": 15, "310120": 15, "310117": 10, "310118": 10,
                     "310115": 10, "310114": 5, "310113": 3, "310112": 2}  # fmt: skip
CITY_AUTHORITY = ("310000", "上海市市场监督管理局")

# --- Entity types: value, weight (% of all entities) ----------------------------------

ENTITY_TYPES: tuple[tuple[EntityType, float], ...] = (
    (EntityType.LIMITED_NATURAL_PERSON, 36.0),
    (EntityType.LIMITED_NATURAL_PERSON_SOLE, 14.0),
    (EntityType.LIMITED, 9.0),
    (EntityType.LIMITED_LEGAL_PERSON_SOLE, 3.0),
    (EntityType.LIMITED_STATE_SOLE, 0.1),
    (EntityType.JOINT_STOCK, 0.9),
    (EntityType.JOINT_STOCK_LISTED, 0.05),
    (EntityType.FOREIGN_LIMITED, 2.4),
    (EntityType.FOREIGN_JOINT_STOCK, 0.05),
    (EntityType.FOREIGN_PARTNERSHIP, 0.05),
    (EntityType.STATE_OWNED, 0.2),
    (EntityType.COLLECTIVE, 0.3),
    (EntityType.SOLE_PROPRIETORSHIP, 2.5),
    (EntityType.GENERAL_PARTNERSHIP, 0.6),
    (EntityType.LIMITED_PARTNERSHIP, 2.3),
    (EntityType.BRANCH, 10.0),
    (EntityType.INDIVIDUAL_BUSINESS, 17.5),
    (EntityType.FARMERS_COOPERATIVE, 0.12),
)

# --- Industries ---------------------------------------------------------------------------
# Enterprises: (class code, weight, words used in names, business scope)
ENTERPRISE_INDUSTRIES: tuple[tuple[str, float, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "5199",
        9.0,
        ("贸易", "商贸", "实业", "贸易发展"),
        ("日用百货销售", "五金产品批发", "电子产品销售", "针纺织品销售", "国内贸易代理"),
    ),
    ("5181", 3.0, ("国际贸易", "进出口"), ("货物进出口", "技术进出口", "国内贸易代理", "销售代理")),
    (
        "5179",
        3.0,
        ("机电设备", "机械设备", "机电科技"),
        ("机械设备销售", "电气设备销售", "电子元器件批发", "仪器仪表销售"),
    ),
    (
        "5174",
        1.5,
        ("五金", "五金机电"),
        ("五金产品批发", "五金产品零售", "金属材料销售", "建筑材料销售"),
    ),
    (
        "5165",
        1.5,
        ("建材", "建筑材料"),
        ("建筑材料销售", "轻质建筑材料销售", "建筑装饰材料销售", "水泥制品销售"),
    ),
    (
        "5169",
        1.5,
        ("化工", "化工科技"),
        ("化工产品销售（不含许可类化工产品）", "专用化学产品销售", "塑料制品销售"),
    ),
    (
        "5132",
        1.5,
        ("服饰", "服装"),
        ("服装服饰批发", "服装服饰零售", "鞋帽批发", "针纺织品及原料销售"),
    ),
    ("5127", 1.0, ("酒业", "茶业"), ("食品销售（仅销售预包装食品）", "茶具销售", "日用品销售")),
    (
        "5129",
        1.5,
        ("食品", "食品贸易"),
        ("食品销售（仅销售预包装食品）", "农副产品销售", "食用农产品批发"),
    ),
    (
        "5193",
        2.0,
        ("电子商务",),
        ("互联网销售（除销售需要许可的商品）", "日用百货销售", "供应链管理服务"),
    ),
    (
        "5292",
        1.5,
        ("电子商务", "网络科技"),
        ("互联网销售（除销售需要许可的商品）", "网络技术服务", "信息咨询服务"),
    ),
    (
        "5176",
        1.0,
        ("电脑科技", "数码科技"),
        ("计算机软硬件及辅助设备批发", "通讯设备销售", "办公设备销售"),
    ),
    (
        "5154",
        1.0,
        ("医疗器械", "医疗科技"),
        ("第一类医疗器械销售", "第二类医疗器械销售", "消毒剂销售（不含危险化学品）"),
    ),
    (
        "5134",
        0.8,
        ("化妆品", "日化"),
        ("化妆品批发", "化妆品零售", "个人卫生用品销售", "日用百货销售"),
    ),
    (
        "5212",
        0.5,
        ("超市", "商业"),
        ("日用百货销售", "食品销售（仅销售预包装食品）", "食用农产品零售"),
    ),
    ("5172", 0.8, ("汽车销售", "汽车配件"), ("汽车新车销售", "汽车零配件批发", "汽车装饰用品销售")),
    (
        "7243",
        4.0,
        ("企业管理咨询", "商务咨询", "咨询管理"),
        (
            "企业管理咨询",
            "信息咨询服务（不含许可类信息咨询服务）",
            "市场营销策划",
            "会议及展览服务",
        ),
    ),
    (
        "7219",
        3.5,
        ("企业管理", "企业发展"),
        ("企业管理", "企业管理咨询", "商务信息咨询（不含投资类咨询）", "市场调查（不含涉外调查）"),
    ),
    (
        "7212",
        2.0,
        ("投资管理", "资产管理", "投资"),
        ("以自有资金从事投资活动", "自有资金投资的资产管理服务", "企业管理咨询"),
    ),
    (
        "7259",
        2.0,
        ("广告", "文化传播", "广告传媒"),
        ("广告设计、代理", "广告制作", "广告发布", "组织文化艺术交流活动", "图文设计制作"),
    ),
    (
        "7224",
        1.0,
        ("供应链管理", "供应链"),
        (
            "供应链管理服务",
            "国内货物运输代理",
            "普通货物仓储服务（不含危险化学品等需许可审批的项目）",
        ),
    ),
    (
        "7289",
        1.0,
        ("会展服务", "展览展示"),
        ("会议及展览服务", "礼仪服务", "市场营销策划", "组织文化艺术交流活动"),
    ),
    (
        "7269",
        1.0,
        ("人力资源", "劳务服务"),
        (
            "人力资源服务（不含职业中介活动、劳务派遣服务）",
            "劳务服务（不含劳务派遣）",
            "企业管理咨询",
        ),
    ),
    (
        "7297",
        1.0,
        ("商务服务", "企业服务"),
        ("商务代理代办服务", "办公服务", "企业形象策划", "咨询策划服务"),
    ),
    (
        "7291",
        0.5,
        ("国际旅行社", "旅行社"),
        ("旅游业务", "旅行社服务网点旅游招徕、咨询服务", "票务代理服务"),
    ),
    ("7241", 0.8, ("财务咨询", "财务管理"), ("代理记账", "税务服务", "财务咨询", "企业管理咨询")),
    ("7111", 0.4, ("汽车租赁",), ("小微型客车租赁经营服务", "机动车修理和维护", "汽车零配件零售")),
    ("7119", 0.3, ("设备租赁",), ("机械设备租赁", "建筑工程机械与设备租赁", "办公设备租赁服务")),
    (
        "7519",
        5.0,
        ("科技", "科技发展", "技术发展", "智能科技"),
        (
            "技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广",
            "软件开发",
            "信息系统集成服务",
        ),
    ),
    (
        "7513",
        1.0,
        ("新材料科技", "材料科技"),
        ("新材料技术研发", "新材料技术推广服务", "合成材料销售", "高性能纤维及复合材料销售"),
    ),
    (
        "7512",
        1.0,
        ("生物科技", "生物技术"),
        ("生物技术推广服务", "技术服务、技术开发、技术咨询", "细胞技术研发和应用"),
    ),
    (
        "7516",
        1.0,
        ("环保科技", "环境科技"),
        ("环保咨询服务", "水污染治理", "大气污染治理", "固体废物治理"),
    ),
    (
        "7515",
        1.0,
        ("新能源科技", "节能科技"),
        ("新兴能源技术研发", "太阳能发电技术服务", "合同能源管理", "节能管理服务"),
    ),
    (
        "7492",
        1.0,
        ("设计", "建筑装饰设计", "品牌设计"),
        ("专业设计服务", "平面设计", "工业设计服务", "图文设计制作"),
    ),
    (
        "7484",
        0.5,
        ("建筑设计", "工程设计"),
        ("工程和技术研究和试验发展", "规划设计管理", "建设工程设计"),
    ),
    ("7481", 0.5, ("工程管理", "工程咨询"), ("工程管理服务", "工程造价咨询业务", "招投标代理服务")),
    ("7520", 0.3, ("知识产权代理",), ("知识产权服务（专利代理服务除外）", "商标代理", "版权代理")),
    ("7452", 0.3, ("检测技术",), ("检验检测服务", "技术服务、技术开发", "计量技术服务")),
    (
        "6513",
        2.5,
        ("软件", "软件科技", "网络科技"),
        ("软件开发", "网络与信息安全软件开发", "人工智能应用软件开发", "信息技术咨询服务"),
    ),
    (
        "6531",
        2.5,
        ("信息技术", "信息科技"),
        ("信息系统集成服务", "信息技术咨询服务", "计算机系统服务", "数据处理服务"),
    ),
    (
        "6560",
        1.0,
        ("信息咨询", "数据科技"),
        ("信息技术咨询服务", "数据处理和存储支持服务", "大数据服务"),
    ),
    (
        "6520",
        0.5,
        ("微电子", "半导体科技", "集成电路"),
        ("集成电路设计", "集成电路芯片设计及服务", "电子元器件批发"),
    ),
    (
        "6432",
        1.0,
        ("网络科技", "互联网科技"),
        ("网络技术服务", "互联网数据服务", "信息咨询服务（不含许可类信息咨询服务）"),
    ),
    (
        "6572",
        0.5,
        ("动漫", "游戏"),
        ("数字内容制作服务（不含出版发行）", "动漫游戏开发", "软件开发"),
    ),
    (
        "4790",
        2.0,
        ("建筑工程", "建设工程", "建设发展"),
        ("建设工程施工", "住宅室内装饰装修", "建筑劳务分包"),
    ),
    (
        "5012",
        2.0,
        ("装饰工程", "装潢", "建筑装饰"),
        ("住宅室内装饰装修", "建筑装饰材料销售", "家具安装和维修服务"),
    ),
    (
        "4999",
        0.7,
        ("机电安装工程", "安装工程"),
        ("普通机械设备安装服务", "电气设备修理", "建筑物空调设备、通风设备系统安装服务"),
    ),
    (
        "4891",
        0.7,
        ("园林绿化", "园林景观"),
        ("园林绿化工程施工", "城市绿化管理", "花卉种植", "树木种植经营"),
    ),
    ("4910", 0.3, ("电气工程",), ("输电、供电、受电电力设施的安装、维修和试验", "电气安装服务")),
    ("4813", 0.3, ("市政工程",), ("市政设施管理", "土石方工程施工", "园林绿化工程施工")),
    (
        "3484",
        1.5,
        ("机械", "精密机械", "机械制造"),
        ("机械零件、零部件加工", "通用设备制造（不含特种设备制造）", "五金产品制造"),
    ),
    (
        "3499",
        0.8,
        ("机械设备", "设备制造"),
        ("通用设备制造（不含特种设备制造）", "机械设备销售", "机械设备研发"),
    ),
    ("3982", 0.8, ("电子", "电子科技"), ("电子元器件制造", "电子电路制造", "电子产品销售")),
    ("1499", 0.5, ("食品",), ("食品生产", "食品销售", "食品添加剂销售")),
    ("1819", 0.5, ("服饰", "制衣"), ("服装制造", "服饰制造", "服装服饰批发")),
    (
        "2669",
        0.4,
        ("化工", "精细化工"),
        ("专用化学产品制造（不含危险化学品）", "化工产品销售（不含许可类化工产品）"),
    ),
    ("3311", 0.4, ("钢结构", "金属制品"), ("金属结构制造", "金属结构销售", "建筑用钢筋产品销售")),
    ("3525", 0.3, ("模具",), ("模具制造", "模具销售", "塑料制品制造")),
    ("3589", 0.3, ("医疗器械",), ("第一类医疗器械生产", "第二类医疗器械生产", "医疗设备租赁")),
    ("2682", 0.2, ("化妆品",), ("化妆品生产", "化妆品批发", "日用化学产品制造")),
    ("3872", 0.2, ("照明", "照明电器"), ("照明器具制造", "照明器具销售", "灯具销售")),
    (
        "5821",
        1.5,
        ("国际货运代理", "货运代理", "物流"),
        ("国际货物运输代理", "国内货物运输代理", "无船承运业务"),
    ),
    (
        "5431",
        1.0,
        ("物流", "运输"),
        ("道路货物运输（不含危险货物）", "国内货物运输代理", "装卸搬运"),
    ),
    (
        "5437",
        0.5,
        ("物流", "速递"),
        ("城市配送运输服务（不含危险货物）", "国内快递（邮政企业提供的除外）"),
    ),
    (
        "5920",
        0.5,
        ("仓储", "仓储服务"),
        ("普通货物仓储服务（不含危险化学品等需许可审批的项目）", "装卸搬运"),
    ),
    ("7010", 0.8, ("房地产开发", "置业"), ("房地产开发经营", "物业管理", "住房租赁")),
    ("7020", 0.8, ("物业管理", "物业服务"), ("物业管理", "停车场服务", "专业保洁、清洗、消毒服务")),
    ("7030", 0.6, ("房地产经纪", "房产经纪"), ("房地产经纪", "房地产咨询", "住房租赁")),
    ("7040", 0.3, ("房屋租赁",), ("住房租赁", "非居住房地产租赁", "物业管理")),
    ("6210", 2.0, ("餐饮管理", "餐饮"), ("餐饮服务", "餐饮管理", "食品销售（仅销售预包装食品）")),
    ("6129", 0.5, ("酒店管理",), ("酒店管理", "住宿服务", "餐饮管理")),
    ("6232", 0.3, ("咖啡",), ("餐饮服务", "咖啡制品销售", "食品销售（仅销售预包装食品）")),
    ("8040", 0.8, ("美容美发", "美容"), ("理发服务", "生活美容服务", "化妆品零售")),
    ("8010", 0.6, ("家政服务",), ("家政服务", "养老服务", "病人陪护服务")),
    (
        "8211",
        0.5,
        ("保洁服务", "清洁服务"),
        ("专业保洁、清洗、消毒服务", "家政服务", "园林绿化工程施工"),
    ),
    ("8111", 0.5, ("汽车维修", "汽车服务"), ("机动车修理和维护", "汽车装饰用品销售", "洗车服务")),
    (
        "8053",
        0.6,
        ("健康管理",),
        ("健康咨询服务（不含诊疗服务）", "养生保健服务（非医疗）", "中医养生保健服务（非医疗）"),
    ),
    (
        "9051",
        1.5,
        ("文化发展", "文化传播", "文化艺术"),
        ("组织文化艺术交流活动", "文艺创作", "会议及展览服务"),
    ),
    (
        "8730",
        0.7,
        ("影视传媒", "影视文化"),
        ("广播电视节目制作经营", "电影摄制服务", "文化娱乐经纪人服务"),
    ),
    ("8930", 0.5, ("体育发展", "健身"), ("健身休闲活动", "体育赛事策划", "体育用品及器材零售")),
    ("9053", 0.3, ("文化经纪",), ("文化娱乐经纪人服务", "演出经纪", "组织文化艺术交流活动")),
    (
        "8394",
        0.6,
        ("教育科技",),
        ("教育咨询服务（不含涉许可审批的教育培训活动）", "技术服务、技术开发"),
    ),
    ("8391", 0.4, ("职业技能培训",), ("职业技能培训（不含需取得许可的培训）", "教育咨询服务")),
    ("6940", 0.4, ("金融信息服务",), ("金融信息服务（除许可业务）", "信息技术咨询服务")),
    ("6631", 0.4, ("融资租赁",), ("融资租赁业务", "租赁业务", "向国内外购买租赁财产")),
    ("6851", 0.2, ("保险经纪",), ("保险经纪业务",)),
    ("8499", 0.5, ("医疗管理", "健康科技"), ("医院管理", "健康咨询服务（不含诊疗服务）")),
    (
        "7723",
        0.5,
        ("环保工程",),
        ("固体废物治理", "环境保护专用设备销售", "土壤污染治理与修复服务"),
    ),
    ("7840", 0.5, ("绿化养护",), ("城市绿化管理", "园林绿化工程施工", "花卉种植")),
    ("0141", 0.3, ("农业发展", "农业科技"), ("蔬菜种植", "水果种植", "农业专业及辅助性活动")),
    ("0143", 0.2, ("花卉园艺",), ("花卉种植", "园艺产品种植", "园林绿化工程施工")),
)

# Individual businesses: (class code, weight, shop words, business scope)
INDIVIDUAL_INDUSTRIES: tuple[tuple[str, float, tuple[str, ...], tuple[str, ...]], ...] = (
    ("5213", 8.0, ("便利店", "烟杂店"), ("食品销售", "烟草制品零售", "日用百货销售")),
    ("5299", 6.0, ("商店", "百货商店", "商行"), ("日用百货销售", "五金产品零售", "文具用品零售")),
    (
        "5223",
        5.0,
        ("水果店", "蔬菜店", "果蔬店"),
        ("食用农产品零售", "新鲜水果零售", "新鲜蔬菜零售"),
    ),
    ("5224", 3.0, ("生鲜店", "水产店", "肉店"), ("食用农产品零售", "鲜肉零售", "水产品零售")),
    ("5232", 4.0, ("服装店", "服饰店"), ("服装服饰零售", "鞋帽零售", "针纺织品销售")),
    ("5292", 5.0, ("网店", "电子商务商行"), ("互联网销售（除销售需要许可的商品）", "日用百货销售")),
    ("5226", 3.0, ("烟酒店", "茶叶店"), ("食品销售", "烟草制品零售", "茶具销售")),
    ("5281", 2.0, ("五金店", "五金商行"), ("五金产品零售", "建筑材料销售", "电线、电缆经营")),
    ("5274", 2.0, ("手机店", "通讯器材店"), ("通信设备零售", "移动终端设备销售", "电子产品销售")),
    ("5234", 1.0, ("化妆品店",), ("化妆品零售", "个人卫生用品销售")),
    ("6291", 9.0, ("小吃店", "面馆", "点心店", "馄饨店"), ("餐饮服务", "小餐饮")),
    ("6220", 6.0, ("快餐店", "餐饮店"), ("餐饮服务", "食品销售（仅销售预包装食品）")),
    ("6210", 5.0, ("饭店", "菜馆", "餐厅"), ("餐饮服务", "酒类经营")),
    ("6239", 3.0, ("奶茶店", "饮品店"), ("餐饮服务", "饮料零售")),
    ("6232", 1.5, ("咖啡馆",), ("餐饮服务", "咖啡制品销售")),
    ("8040", 6.0, ("理发店", "美发店", "美容店", "美甲店"), ("理发服务", "生活美容服务")),
    ("8053", 2.0, ("养生馆", "推拿店"), ("养生保健服务（非医疗）", "足浴服务")),
    ("8030", 1.0, ("洗衣店",), ("洗烫服务", "洗染服务")),
    ("8111", 2.0, ("汽车维修部", "汽车美容店"), ("机动车修理和维护", "洗车服务")),
    ("8199", 2.0, ("维修部", "修配部"), ("日用电器修理", "家具维修", "五金产品零售")),
    ("8060", 1.0, ("摄影工作室", "照相馆"), ("摄影扩印服务", "图文设计制作")),
    ("8010", 1.5, ("家政服务部",), ("家政服务", "专业保洁、清洗、消毒服务")),
    ("7297", 1.0, ("商务服务部",), ("商务代理代办服务", "打字复印")),
    ("5437", 3.0, ("货运服务部", "运输服务部"), ("城市配送运输服务（不含危险货物）", "装卸搬运")),
    ("5012", 3.0, ("装潢部", "装饰工作室"), ("住宅室内装饰装修", "建筑装饰材料销售")),
    ("7030", 1.0, ("房产中介", "房屋中介服务部"), ("房地产经纪", "住房租赁")),
    ("8393", 1.0, ("艺术工作室",), ("组织文化艺术交流活动", "文艺创作")),
    ("7492", 2.0, ("设计工作室",), ("专业设计服务", "平面设计")),
    ("6513", 1.0, ("软件工作室",), ("软件开发", "信息技术咨询服务")),
    ("7519", 2.0, ("科技工作室",), ("技术服务、技术开发、技术咨询、技术交流、技术转让、技术推广",)),
    (
        "7243",
        3.0,
        ("咨询服务部", "信息咨询服务部"),
        ("信息咨询服务（不含许可类信息咨询服务）", "企业管理咨询"),
    ),
)

# Farmers' cooperatives: (class code, weight, product words, business scope)
COOPERATIVE_INDUSTRIES: tuple[tuple[str, float, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "0141",
        35.0,
        ("蔬菜", "果蔬"),
        ("组织采购、供应成员所需的生产资料", "组织收购、销售成员生产的蔬菜"),
    ),
    ("0151", 10.0, ("水蜜桃", "果业"), ("水果种植", "组织收购、销售成员生产的水果")),
    ("0152", 8.0, ("葡萄",), ("葡萄种植", "组织收购、销售成员生产的葡萄")),
    ("0111", 15.0, ("粮食", "水稻"), ("谷物种植", "组织收购、销售成员生产的粮食")),
    ("0412", 10.0, ("水产养殖", "蟹业"), ("水产养殖", "组织收购、销售成员养殖的水产品")),
    ("0143", 8.0, ("花卉苗木",), ("花卉种植", "树木种植经营", "园艺产品销售")),
    ("0512", 7.0, ("农机",), ("农业机械服务", "农作物收割服务", "农业专业及辅助性活动")),
    ("0321", 4.0, ("家禽",), ("家禽饲养", "组织收购、销售成员饲养的家禽")),
    ("0313", 3.0, ("生猪",), ("牲畜饲养", "组织收购、销售成员饲养的生猪")),
)

# --- Names --------------------------------------------------------------------------------

TRADE_CHARS = (
    "鑫达华盛泰宏丰源恒瑞通明金荣嘉诚信德祥益兴隆昌佳美和润博睿创智优新科海天中欣旺顺宝福康安"
    "晨星航锦辰耀晟祺铭凯宇昊浩泽沃朗峰岩卓越正元亿万久汇联众合协力舜禹尚品悦乐赢富贵强骏驰腾"
    "飞翔龙凤麒麟虹彩蓝青云阳光辉远大伟泓涵霖雅轩弘毅图宸璟煜骐澄沁溢聚鸿瀚沛臻至思维捷迅敏威"
    "豪帆程途"
)
FOREIGN_TRADE_NAMES = (
    "艾克", "普瑞斯", "赛科", "凯斯特", "莱恩", "爱康", "诺华德", "迈克森", "斯坦福德", "德尔",
    "安赛", "菲尔德", "卡尔森", "泰科", "埃森", "纳思", "贝尔特", "索菲亚", "奥斯汀", "欧亚",
    "美亚", "亚太", "环球", "太平洋", "维斯塔", "伊顿", "巴斯夫特", "霍尼", "爱普", "雅诗",
    "蒂森", "马士", "百思", "泰勒", "汉森", "路易", "摩根", "乐高达", "丰田通", "三井优",
    "住友达", "日立信", "松下科", "三星达", "乐天", "现代凯", "新加坡丰", "星展", "汇丰达", "渣打",
)  # fmt: skip
OUT_OF_TOWN = (
    ("110105", "北京"), ("110108", "北京"), ("330106", "杭州"), ("320102", "南京"),
    ("320505", "苏州"), ("440305", "深圳"), ("440106", "广州"), ("420106", "武汉"),
    ("510107", "成都"), ("330212", "宁波"), ("340104", "合肥"), ("320214", "无锡"),
    ("120116", "天津"), ("370102", "济南"), ("350203", "厦门"),
)  # fmt: skip

SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.4), ("陈", 4.6), ("杨", 3.1), ("黄", 2.2),
    ("赵", 2.0), ("吴", 2.0), ("周", 1.9), ("徐", 1.8), ("孙", 1.5), ("马", 1.2), ("朱", 1.4),
    ("胡", 1.1), ("郭", 1.1), ("何", 1.0), ("林", 1.0), ("高", 1.0), ("罗", 0.9), ("郑", 0.8),
    ("梁", 0.7), ("谢", 0.6), ("宋", 0.6), ("唐", 0.6), ("许", 0.6), ("韩", 0.6), ("冯", 0.5),
    ("邓", 0.5), ("曹", 0.5), ("彭", 0.5), ("曾", 0.5), ("肖", 0.5), ("田", 0.5), ("董", 0.4),
    ("袁", 0.4), ("潘", 0.4), ("于", 0.4), ("蒋", 0.4), ("蔡", 0.4), ("余", 0.4), ("杜", 0.4),
    ("叶", 0.4), ("程", 0.4), ("苏", 0.3), ("魏", 0.3), ("吕", 0.3), ("丁", 0.3), ("任", 0.3),
    ("沈", 0.7), ("陆", 0.6), ("顾", 0.6), ("钱", 0.4), ("施", 0.4), ("金", 0.3), ("姚", 0.3),
    ("倪", 0.2), ("龚", 0.2), ("严", 0.2), ("汤", 0.2), ("邱", 0.2), ("俞", 0.2), ("卢", 0.3),
    ("方", 0.3), ("石", 0.2), ("姜", 0.3), ("崔", 0.2), ("陶", 0.2), ("范", 0.3), ("戴", 0.2),
    ("夏", 0.2), ("钟", 0.3), ("汪", 0.3), ("贾", 0.2), ("侯", 0.2), ("邵", 0.2), ("孟", 0.2),
    ("秦", 0.2), ("薛", 0.2), ("雷", 0.2), ("毛", 0.2), ("郝", 0.2), ("常", 0.2), ("万", 0.1),
    ("欧阳", 0.05), ("诸葛", 0.01), ("司马", 0.01), ("上官", 0.01),
)  # fmt: skip
MALE_CHARS = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁峰建国东海林俊浩宇晨文志龙成亮健坤凯锋毅昊哲洋振晖"
)
FEMALE_CHARS = "芳娜敏静丽艳娟霞燕玲婷雪慧颖琳洁红梅莉萍倩琴蕾佳怡欣悦雯婧妍晶瑶蓉丹"
NEUTRAL_CHARS = "晓嘉子思雨一诗文春秋小永立家德振佳天"

# Provinces for ID numbers of people not born in Shanghai, with relative weights.
ID_PROVINCES = {"32": 12, "34": 10, "33": 9, "41": 5, "37": 4, "36": 4, "42": 3, "51": 3,
                "35": 3, "43": 2, "23": 1, "21": 1, "44": 1, "13": 1, "50": 1, "14": 0.5,
                "61": 0.5, "22": 0.5, "45": 0.5, "52": 0.5, "11": 0.5, "12": 0.3, "62": 0.3,
                "15": 0.3, "53": 0.3}  # fmt: skip
SHANGHAI_BORN_SHARE = 0.45

# Registration year weights: slow 1990s, steady 2000s, the 2014 reform and after.
YEAR_WEIGHTS: dict[int, float] = {
    **dict.fromkeys(range(1990, 2000), 0.6),
    **dict.fromkeys(range(2000, 2010), 1.5),
    **dict.fromkeys(range(2010, 2014), 2.5),
    2014: 4.0, 2015: 5.0, 2016: 6.0, 2017: 6.5, 2018: 7.0, 2019: 7.5, 2020: 8.0,
    2021: 8.5, 2022: 7.0, 2023: 8.0, 2024: 8.0, 2025: 8.0, 2026: 4.0,
}  # fmt: skip

# Capital (万元) by type: (values, weights); None means no registered capital.
_COMPANY_CAPITAL = (
    (1, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000, 2000, 3000, 5000, 10000, 20000, 50000),
    (1, 2, 3, 12, 6, 6, 10, 20, 8, 5, 10, 7, 3, 1.5, 2, 1.5, 0.5, 0.2),
)
CAPITAL: dict[EntityType, tuple[tuple[float, ...], tuple[float, ...]]] = {
    EntityType.LIMITED: _COMPANY_CAPITAL,
    EntityType.LIMITED_NATURAL_PERSON: _COMPANY_CAPITAL,
    EntityType.LIMITED_NATURAL_PERSON_SOLE: _COMPANY_CAPITAL,
    EntityType.LIMITED_LEGAL_PERSON_SOLE: _COMPANY_CAPITAL,
    EntityType.LIMITED_STATE_SOLE: (
        (1000, 5000, 10000, 50000, 100000, 500000),
        (3, 4, 4, 2, 1, 0.5),
    ),
    EntityType.JOINT_STOCK: (
        (500, 1000, 2000, 3000, 5000, 8000, 10000, 20000, 50000, 100000),
        (1, 3, 2, 2, 4, 1, 3, 1, 1, 0.5),
    ),
    EntityType.JOINT_STOCK_LISTED: (
        (10000, 30000, 50000, 100000, 200000, 500000),
        (2, 3, 3, 2, 1, 0.5),
    ),
    EntityType.FOREIGN_LIMITED: (
        (10, 14, 20, 50, 100, 140, 200, 500, 1000, 2000, 5000),
        (2, 1, 3, 5, 8, 2, 5, 4, 3, 1, 0.5),
    ),
    EntityType.FOREIGN_JOINT_STOCK: ((5000, 10000, 30000, 50000), (1, 2, 1, 0.5)),
    EntityType.FOREIGN_PARTNERSHIP: ((100, 1000, 5000, 10000, 50000), (1, 2, 2, 1, 0.5)),
    EntityType.STATE_OWNED: ((50, 100, 200, 500, 1000, 3000), (1, 2, 2, 2, 1, 0.5)),
    EntityType.COLLECTIVE: ((10, 30, 50, 100, 200, 500), (1, 2, 3, 2, 1, 0.5)),
    EntityType.SOLE_PROPRIETORSHIP: ((1, 3, 5, 10, 20, 50, 100), (2, 2, 3, 4, 2, 2, 1)),
    EntityType.GENERAL_PARTNERSHIP: ((1, 10, 50, 100, 500, 1000), (1, 3, 2, 3, 1, 0.5)),
    EntityType.LIMITED_PARTNERSHIP: (
        (10, 100, 500, 1000, 3000, 10000, 50000),
        (1, 3, 3, 4, 2, 2, 0.5),
    ),
    EntityType.INDIVIDUAL_BUSINESS: ((0.5, 1, 2, 3, 5, 10, 20, 50), (2, 4, 3, 3, 3, 2, 1, 0.5)),
    EntityType.FARMERS_COOPERATIVE: ((10, 20, 50, 100, 200, 500), (1, 2, 3, 3, 1, 0.5)),
}
FOREIGN_CURRENCIES = ((Currency.USD, Currency.CNY, Currency.HKD, Currency.EUR, Currency.JPY,
                       Currency.SGD), (55, 35, 4, 3, 2, 1))  # fmt: skip

_FOREIGN = frozenset(
    {EntityType.FOREIGN_LIMITED, EntityType.FOREIGN_JOINT_STOCK, EntityType.FOREIGN_PARTNERSHIP}
)
_COMPANIES = frozenset(
    {
        EntityType.LIMITED,
        EntityType.LIMITED_NATURAL_PERSON,
        EntityType.LIMITED_NATURAL_PERSON_SOLE,
        EntityType.LIMITED_LEGAL_PERSON_SOLE,
        EntityType.LIMITED_STATE_SOLE,
        EntityType.JOINT_STOCK,
        EntityType.JOINT_STOCK_LISTED,
        EntityType.FOREIGN_LIMITED,
        EntityType.FOREIGN_JOINT_STOCK,
    }
)
_OLD_SCOPE_FROM = datetime.date(2021, 1, 1)  # scopes follow the 2021 规范表述 from then on


_QUANTILES = 4096  # resolution of the tabulated distributions below


@dataclass(frozen=True, slots=True)
class _Industry:
    code: str
    words: tuple[str, ...]
    scope_new: str
    scope_old: str


@dataclass(frozen=True, slots=True)
class _District:
    code: str
    name: str  # 浦东新区
    short: str  # 浦东
    authority: str  # 上海市浦东新区市场监督管理局
    places: tuple[str, ...]


class _Kind(enum.IntEnum):
    """How a type's rows are built (name pattern, code category, capital)."""

    COMPANY = 0
    JOINT_STOCK = 1
    FOREIGN = 2
    FOREIGN_JOINT_STOCK = 3
    FOREIGN_PARTNERSHIP = 4
    STATE_OWNED = 5
    COLLECTIVE = 6
    SOLE_PROPRIETORSHIP = 7
    GENERAL_PARTNERSHIP = 8
    LIMITED_PARTNERSHIP = 9
    BRANCH = 10
    INDIVIDUAL = 11
    COOPERATIVE = 12


_KINDS: dict[EntityType, _Kind] = {
    EntityType.LIMITED: _Kind.COMPANY,
    EntityType.LIMITED_NATURAL_PERSON: _Kind.COMPANY,
    EntityType.LIMITED_NATURAL_PERSON_SOLE: _Kind.COMPANY,
    EntityType.LIMITED_LEGAL_PERSON_SOLE: _Kind.COMPANY,
    EntityType.LIMITED_STATE_SOLE: _Kind.COMPANY,
    EntityType.JOINT_STOCK: _Kind.JOINT_STOCK,
    EntityType.JOINT_STOCK_LISTED: _Kind.JOINT_STOCK,
    EntityType.FOREIGN_LIMITED: _Kind.FOREIGN,
    EntityType.FOREIGN_JOINT_STOCK: _Kind.FOREIGN_JOINT_STOCK,
    EntityType.FOREIGN_PARTNERSHIP: _Kind.FOREIGN_PARTNERSHIP,
    EntityType.STATE_OWNED: _Kind.STATE_OWNED,
    EntityType.COLLECTIVE: _Kind.COLLECTIVE,
    EntityType.SOLE_PROPRIETORSHIP: _Kind.SOLE_PROPRIETORSHIP,
    EntityType.GENERAL_PARTNERSHIP: _Kind.GENERAL_PARTNERSHIP,
    EntityType.LIMITED_PARTNERSHIP: _Kind.LIMITED_PARTNERSHIP,
    EntityType.BRANCH: _Kind.BRANCH,
    EntityType.INDIVIDUAL_BUSINESS: _Kind.INDIVIDUAL,
    EntityType.FARMERS_COOPERATIVE: _Kind.COOPERATIVE,
}


@dataclass(frozen=True, slots=True)
class _Type:
    value: str
    kind: int  # a _Kind, kept as a plain int for speed
    company: bool  # a company (公司): may be registered by the city bureau, may have branches
    category: str  # second character of the credit code
    capital: tuple[str, ...]
    capital_cum: tuple[float, ...]


@dataclass(frozen=True)
class _Tables:
    districts: list[_District]
    district_cum: list[float]
    farming: list[_District]
    farming_cum: list[float]
    types: list[_Type]
    type_cum: list[float]
    enterprise: list[_Industry]
    enterprise_cum: list[float]
    individual: list[_Industry]
    individual_cum: list[float]
    cooperative: list[_Industry]
    cooperative_cum: list[float]
    investment: _Industry
    surnames: list[str]
    surname_cum: list[float]
    id_regions: list[tuple[str, int]]  # (code, weighted digit sum of the 6 digits)
    id_region_cum: list[float]
    sh_id_regions: list[tuple[str, int]]
    year_first: list[int]  # first ordinal of each year
    year_len: list[int]
    year_cum: list[float]
    iso: dict[int, str]  # date ordinal -> "YYYY-MM-DD" over the registration date range
    birth_base: int
    births: list[tuple[str, int]]  # ordinal - birth_base -> ("YYYYMMDD", weighted digit sum)
    seqs: list[tuple[str, int]]  # 0..999 -> ("042", weighted digit sum)
    age_days: list[int]  # age at founding, tabulated (triangular 22-66, mode 36 years)
    employees: list[int]  # tabulated log-normal head counts
    revenue_factor: list[float]  # tabulated log-normal revenue (万元) per head
    foreign_currency: list[str]
    foreign_currency_cum: list[float]


def _cum(weights: Sequence[float]) -> list[float]:
    return list(accumulate(weights))


def _scope(phrases: tuple[str, ...], new: bool) -> str:
    phrase = "；".join(phrases)
    if new:
        return f"一般项目：{phrase}。（除依法须经批准的项目外，凭营业执照依法自主开展经营活动）"
    return f"{phrase}。【依法须经批准的项目，经相关部门批准后方可开展经营活动】"


def _industries(
    rows: Sequence[tuple[str, float, tuple[str, ...], tuple[str, ...]]],
) -> tuple[list[_Industry], list[float]]:
    items = [
        _Industry(code, words, _scope(phrase, True), _scope(phrase, False))
        for code, _, words, phrase in rows
    ]
    return items, _cum([weight for _, weight, _, _ in rows])


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _id_digit_sum(digits: str, offset: int) -> int:
    return sum(int(d) * _ID_WEIGHTS[offset + i] for i, d in enumerate(digits))


def _capital_text(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _quantiles(inverse_cdf: Callable[[float], float]) -> list[float]:
    return [inverse_cdf((i + 0.5) / _QUANTILES) for i in range(_QUANTILES)]


@cache
def tables() -> _Tables:
    """The precomputed lookup tables (built once per process, about 0.1 s)."""
    districts = []
    for code, _weight, places in DISTRICTS:
        region = region_get(code)
        assert region is not None, code  # noqa: S101 - a typo in the table above
        short = region.name.removesuffix("新区").removesuffix("区")
        districts.append(
            _District(code, region.name, short, f"上海市{region.name}市场监督管理局", places)
        )
    by_code = {d.code: d for d in districts}

    counties = [r for r in all_regions() if r.level == "county" and r.code[:2] < "71"]
    id_regions: list[tuple[str, int]] = []
    id_weights: list[float] = []
    for province, weight in ID_PROVINCES.items():
        codes = [r.code for r in counties if r.code.startswith(province)]
        for code in codes:
            id_regions.append((code, _id_digit_sum(code, 0)))
            id_weights.append(weight / len(codes))
    sh_id_regions = [(r.code, _id_digit_sum(r.code, 0)) for r in counties if r.code[:2] == "31"]

    years = sorted(YEAR_WEIGHTS)
    year_first = [datetime.date(y, 1, 1).toordinal() for y in years]
    year_len = [
        (min(datetime.date(y + 1, 1, 1), REFERENCE_DATE).toordinal() - first)
        for y, first in zip(years, year_first, strict=True)
    ]
    first_day = datetime.date(FIRST_YEAR, 1, 1).toordinal()
    iso = {
        o: datetime.date.fromordinal(o).isoformat()
        for o in range(first_day, REFERENCE_DATE.toordinal() + 1)
    }
    birth_base = datetime.date(FIRST_YEAR - 70, 1, 1).toordinal()
    births = []
    for o in range(birth_base, REFERENCE_DATE.toordinal() - 21 * 365):
        text = datetime.date.fromordinal(o).strftime("%Y%m%d")
        births.append((text, _id_digit_sum(text, 6)))

    types = []
    for entity_type, _weight in ENTITY_TYPES:
        values, weights = CAPITAL.get(entity_type, ((), ()))
        types.append(
            _Type(
                entity_type.value,
                int(_KINDS[entity_type]),
                entity_type in _COMPANIES,
                entity_type.uscc_category,
                tuple(_capital_text(v) for v in values),
                tuple(_cum(weights)),
            )
        )
    normal = statistics.NormalDist()
    enterprise, enterprise_cum = _industries(ENTERPRISE_INDUSTRIES)
    individual, individual_cum = _industries(INDIVIDUAL_INDUSTRIES)
    cooperative, cooperative_cum = _industries(COOPERATIVE_INDUSTRIES)
    return _Tables(
        districts=districts,
        district_cum=_cum([w for _, w, _ in DISTRICTS]),
        farming=[by_code[code] for code in FARMING_DISTRICTS],
        farming_cum=_cum(list(FARMING_DISTRICTS.values())),
        types=types,
        type_cum=_cum([w for _, w in ENTITY_TYPES]),
        enterprise=enterprise,
        enterprise_cum=enterprise_cum,
        individual=individual,
        individual_cum=individual_cum,
        cooperative=cooperative,
        cooperative_cum=cooperative_cum,
        investment=next(i for i in enterprise if i.code == "7212"),
        surnames=[s for s, _ in SURNAMES],
        surname_cum=_cum([w for _, w in SURNAMES]),
        id_regions=id_regions,
        id_region_cum=_cum(id_weights),
        sh_id_regions=sh_id_regions,
        year_first=year_first,
        year_len=year_len,
        year_cum=_cum([YEAR_WEIGHTS[y] for y in years]),
        iso=iso,
        birth_base=birth_base,
        births=births,
        seqs=[(f"{n:03d}", _id_digit_sum(f"{n:03d}", 14)) for n in range(1000)],
        age_days=[int(v * 365.25) for v in _quantiles(_triangular_inverse(22, 66, 36))],
        employees=[min(100_000, int(math.exp(1.6 + 1.25 * z))) for z in _quantiles(normal.inv_cdf)],
        revenue_factor=[math.exp(2.8 + 1.0 * z) for z in _quantiles(normal.inv_cdf)],
        foreign_currency=[c.value for c in FOREIGN_CURRENCIES[0]],
        foreign_currency_cum=_cum(FOREIGN_CURRENCIES[1]),
    )


def _triangular_inverse(low: float, high: float, mode: float) -> Callable[[float], float]:
    split = (mode - low) / (high - low)

    def inverse(u: float) -> float:
        if u < split:
            return low + math.sqrt(u * (high - low) * (mode - low))
        return high - math.sqrt((1 - u) * (high - low) * (high - mode))

    return inverse


# Serial numbers behind the credit codes: entity ``index`` gets serial ``index`` plus an
# offset, so codes run in sequence from MA1F000..., as an authority issues them, and never
# repeat within a region and category whatever the seed: rows appended later (higher
# indexes) get fresh codes. Consecutive serials also keep uscc_from_serial's tables warm in
# the CPU cache (a third faster than scattered ones).
def _serial_of(body6: str) -> int:
    value = 0
    for ch in body6:
        value = value * 31 + ALPHABET.index(ch)
    return value


_SERIAL_MULTIPLIER = 1
_SERIAL_OFFSET = _serial_of("1F0000")
_PARENT_OFFSET = _serial_of("2B0000")  # for the codes of out-of-town parent companies


def serial_for(index: int) -> int:
    """The credit-code serial of entity ``index`` (distinct indexes, distinct serials)."""
    return (index * _SERIAL_MULTIPLIER + _SERIAL_OFFSET) % SERIAL_LIMIT


_SOLE_SUFFIXES = ("工作室", "商行", "经营部", "服务部", "中心")
_LP_WORDS = ("投资", "股权投资", "创业投资", "投资管理")
_LP_FORMS = ("合伙企业", "中心", "基金合伙企业")
_SHOP_CHARS = MALE_CHARS + FEMALE_CHARS
_CHONGMING = "310151"
_MAX_PARENTS = 5000


def _rows(seed: int, chunk: int, start_id: int, first_index: int, count: int) -> list[Row]:
    """Build the rows. Written for speed (about 20 µs a row): one long function with the
    lookups hoisted into locals, because it runs 3.2 million times in a benchmark."""
    rng = random.Random(f"yingshang.registry.synthetic:{seed}:{chunk}")  # noqa: S311
    rand = rng.random
    t = tables()
    ref = REFERENCE_DATE.toordinal()
    new_scope_from = _NEW_SCOPE_ORDINAL
    iso, births, birth_base, seqs = t.iso, t.births, t.birth_base, t.seqs
    year_first, year_len = t.year_first, t.year_len
    trade_chars, n_trade = TRADE_CHARS, len(TRADE_CHARS)
    surnames, surname_cum, surname_total = t.surnames, t.surname_cum, t.surname_cum[-1]
    male_chars, female_chars, neutral_chars = MALE_CHARS, FEMALE_CHARS, NEUTRAL_CHARS
    n_male, n_female, n_neutral = len(MALE_CHARS), len(FEMALE_CHARS), len(NEUTRAL_CHARS)
    shop_chars, n_shop = _SHOP_CHARS, len(_SHOP_CHARS)
    id_regions, id_cum, id_total = t.id_regions, t.id_region_cum, t.id_region_cum[-1]
    sh_regions, n_sh = t.sh_id_regions, len(t.sh_id_regions)
    ages, employees_q, revenue_q = t.age_days, t.employees, t.revenue_factor
    q = _QUANTILES
    enterprise, ent_cum, ent_total = t.enterprise, t.enterprise_cum, t.enterprise_cum[-1]
    individual, ind_cum, ind_total = t.individual, t.individual_cum, t.individual_cum[-1]
    cooperative, coop_cum = t.cooperative, t.cooperative_cum
    farming, farming_cum = t.farming, t.farming_cum
    currencies, currency_cum = t.foreign_currency, t.foreign_currency_cum
    foreign_names, n_foreign = FOREIGN_TRADE_NAMES, len(FOREIGN_TRADE_NAMES)
    parks, n_parks = CHONGMING_PARKS, len(CHONGMING_PARKS)
    out_of_town, n_out = OUT_OF_TOWN, len(OUT_OF_TOWN)
    investment = t.investment
    city_region, city_authority = CITY_AUTHORITY
    bisect_right = bisect.bisect_right
    from_serial = uscc_from_serial
    limit, multiplier = SERIAL_LIMIT, _SERIAL_MULTIPLIER
    serial_offset, parent_offset = _SERIAL_OFFSET, _PARENT_OFFSET
    company_k, joint_k, foreign_k, foreign_js_k = 0, 1, 2, 3
    foreign_p_k, state_k, sole_k, gp_k, lp_k = 4, 5, 7, 8, 9
    branch_k, individual_k, coop_k = 10, 11, 12
    parents: list[tuple[str, str, int]] = []  # (name, credit code, founded) of companies

    type_idx = rng.choices(range(len(t.types)), cum_weights=t.type_cum, k=count)
    districts = rng.choices(t.districts, cum_weights=t.district_cum, k=count)
    year_idx = rng.choices(range(len(year_first)), cum_weights=t.year_cum, k=count)
    types = t.types
    out: list[Row] = []
    append = out.append
    for j in range(count):
        etype = types[type_idx[j]]
        kind = etype.kind
        company = etype.company
        district = districts[j]
        y = year_idx[j]
        established = year_first[y] + int(rand() * year_len[y])
        index = first_index + j
        parent_code = ""
        authority_region = district.code
        authority = district.authority
        currency = "CNY"
        if rand() < 0.14:
            trade = (
                trade_chars[int(rand() * n_trade)]
                + trade_chars[int(rand() * n_trade)]
                + trade_chars[int(rand() * n_trade)]
            )
        else:
            trade = trade_chars[int(rand() * n_trade)] + trade_chars[int(rand() * n_trade)]

        if kind == individual_k:
            industry = individual[bisect_right(ind_cum, rand() * ind_total)]
            r = rand()
            if r < 0.35:
                trade = surnames[bisect_right(surname_cum, rand() * surname_total)] + "记"
            elif r >= 0.8:
                trade = (
                    surnames[bisect_right(surname_cum, rand() * surname_total)]
                    + shop_chars[int(rand() * n_shop)]
                )
            words = industry.words
            word = words[int(rand() * len(words))]
            if rand() < 0.7:
                name = district.name + trade + word
            else:
                name = "上海市" + district.name + trade + word
        elif kind == coop_k:
            district = farming[bisect_right(farming_cum, rand() * farming_cum[-1])]
            authority_region = district.code
            authority = district.authority
            industry = cooperative[bisect_right(coop_cum, rand() * coop_cum[-1])]
            words = industry.words
            name = f"上海{district.short}{trade}{words[int(rand() * len(words))]}专业合作社"
        else:
            industry = enterprise[bisect_right(ent_cum, rand() * ent_total)]
            words = industry.words
            word = words[int(rand() * len(words))]
            r = rand()
            if kind in (company_k, joint_k):
                form = "有限公司" if kind == company_k else "股份有限公司"
                if r < 0.74:
                    name = f"上海{trade}{word}{form}"
                elif r < 0.84:
                    name = f"{trade}（上海）{word}{form}"
                elif r < 0.92:
                    name = f"上海{district.short}{trade}{word}{form}"
                else:
                    name = f"上海市{trade}{word}{form}"
            elif kind == branch_k:
                if parents and r < 0.5:
                    parent_name, parent_code, parent_founded = parents[int(rand() * len(parents))]
                    if parent_founded > established:
                        established = parent_founded + int(rand() * (ref - parent_founded))
                    r = rand()
                    if r < 0.25:
                        suffix = district.short
                    elif r < 0.5:
                        suffix = "第一"
                    elif r < 0.75:
                        suffix = "第二"
                    else:
                        suffix = district.short + "第一"
                    name = f"{parent_name}{suffix}分公司"
                else:
                    region, city = out_of_town[int(rand() * n_out)]
                    parent_code = from_serial(
                        region=region, serial=(index * multiplier + parent_offset) % limit
                    )
                    where = "上海" if rand() < 0.7 else "上海" + district.short
                    name = f"{city}{trade}{word}有限公司{where}分公司"
            elif kind in (foreign_k, foreign_js_k):
                brand = foreign_names[int(rand() * n_foreign)]
                form = "有限公司" if kind == foreign_k else "股份有限公司"
                if r < 0.5:
                    name = f"{brand}（上海）{word}{form}"
                elif r < 0.8:
                    name = f"上海{brand}{word}{form}"
                else:
                    name = f"{brand}（中国）{word}{form}"
                currency = currencies[bisect_right(currency_cum, rand() * currency_cum[-1])]
            elif kind == foreign_p_k:
                industry = investment
                name = f"上海{foreign_names[int(rand() * n_foreign)]}股权投资合伙企业（有限合伙）"
                currency = "USD" if rand() < 0.6 else "CNY"
            elif kind == sole_k:
                name = f"上海{trade}{word}{_SOLE_SUFFIXES[int(rand() * 5)]}"
            elif kind == gp_k:
                name = f"上海{trade}{word}合伙企业（普通合伙）"
            elif kind == lp_k:
                if r < 0.6:
                    industry = investment
                    lp_word = _LP_WORDS[int(rand() * 4)]
                    name = f"上海{trade}{lp_word}{_LP_FORMS[int(rand() * 3)]}（有限合伙）"
                else:
                    name = f"上海{trade}{word}合伙企业（有限合伙）"
            elif kind == state_k:
                name = f"上海{trade}{word}{'厂' if r < 0.3 else '公司'}"
            else:  # collective
                name = f"上海{district.short}{trade}{word}{'厂' if r < 0.4 else '公司'}"
            if company and rand() < 0.1:
                authority_region = city_region
                authority = city_authority

        code = from_serial(
            region=authority_region,
            serial=(index * multiplier + serial_offset) % limit,
            category=etype.category,
        )
        if company:
            if len(parents) < _MAX_PARENTS:
                parents.append((name, code, established))
            else:
                parents[int(rand() * _MAX_PARENTS)] = (name, code, established)

        # The legal representative (法定代表人 / 负责人 / 经营者) and a valid ID number.
        male = rand() < 0.62
        surname = surnames[bisect_right(surname_cum, rand() * surname_total)]
        own, n_own = (male_chars, n_male) if male else (female_chars, n_female)
        last = own[int(rand() * n_own)]
        r = rand()
        if r < 0.25:
            person = surname + neutral_chars[int(rand() * n_neutral)] + last
        elif r < 0.62:
            person = surname + own[int(rand() * n_own)] + last
        else:
            person = surname + last
        if rand() < SHANGHAI_BORN_SHARE:
            region_code, region_sum = sh_regions[int(rand() * n_sh)]
        else:
            region_code, region_sum = id_regions[bisect_right(id_cum, rand() * id_total)]
        birth_text, birth_sum = births[established - ages[int(rand() * q)] - birth_base]
        seq_text, seq_sum = seqs[int(rand() * 500) * 2 + male]
        id_number = (
            region_code
            + birth_text
            + seq_text
            + "10X98765432"[(region_sum + birth_sum + seq_sum) % 11]
        )

        capital: str | None = None
        capitals = etype.capital
        if capitals and not (kind == individual_k and rand() < 0.5):
            cum = etype.capital_cum
            capital = capitals[bisect_right(cum, rand() * cum[-1])]

        # Status: older entities are more often revoked (吊销) or cancelled (注销).
        age = ref - established
        r = rand()
        status_changed: str | None = None
        if age > 5844:  # 16 years
            active_below, revoked_below, cancelled_below = 0.70, 0.85, 0.98
        elif age > 2557:  # 7 years
            active_below, revoked_below, cancelled_below = 0.88, 0.94, 0.99
        else:
            active_below, revoked_below, cancelled_below = 0.96, 0.97, 0.995
        if r < active_below:
            status = "active"
        else:
            if r < revoked_below:
                status = "revoked"
            elif r < cancelled_below:
                status = "cancelled"
            else:
                status = "moved_out"
            status_changed = iso[established + 1 + int(rand() * age)]

        # Business term: 长期 (null) or 20, 30 or 50 years; individual businesses have none.
        established_text = iso[established]
        term_end: str | None = None
        if kind != individual_k and rand() < 0.35:
            month_day = established_text[4:]
            end_year = int(established_text[:4]) + (20, 30, 50)[int(rand() * 3)]
            term_end = f"{end_year}{'-02-28' if month_day == '-02-29' else month_day}"

        # Size: employees, last year's revenue (万元, often not reported), 小微企业 flag.
        chongming_shell = company and district.code == _CHONGMING and rand() < 0.5
        if kind == individual_k:
            employees = (1, 1, 1, 2, 2, 3, 4, 5)[int(rand() * 8)]
        elif chongming_shell:
            employees = (0, 0, 1, 2)[int(rand() * 4)]
        else:
            employees = employees_q[int(rand() * q)]
        revenue: str | None = None
        small_micro = kind != individual_k and employees < 300
        if rand() < 0.65:
            revenue_value = (employees + 0.5) * revenue_q[int(rand() * q)]
            if revenue_value < 0.5:
                revenue_value = 0.5
            revenue = f"{revenue_value:.2f}"
            if revenue_value >= 20_000:
                small_micro = False

        # Address: a street and number, or one of 崇明's registered-address parks.
        if chongming_shell:
            place, park = parks[int(rand() * n_parks)]
            room = int(rand() * 29 + 1) * 1000 + int(rand() * 999 + 1)
            address = f"上海市崇明区{place}{int(rand() * 11) + 1}号楼{room}室（{park}）"
        else:
            places = district.places
            place = places[int(rand() * len(places))]
            r = rand()
            if r < 0.4:
                address = f"上海市{district.name}{place}{int(rand() * 2999) + 1}号"
            elif r < 0.7:
                address = (
                    f"上海市{district.name}{place}{int(rand() * 2999) + 1}号"
                    f"{int(rand() * 29) + 1}层"
                )
            else:
                address = (
                    f"上海市{district.name}{place}{int(rand() * 2999) + 1}号"
                    f"{int(rand() * 29) + 1}{int(rand() * 39) + 1:02d}室"
                )

        created = established_text + " 01:00:00"
        append(
            (
                start_id + j,
                code,
                name,
                etype.value,
                person,
                id_number,
                capital,
                currency,
                established_text,
                established_text,
                term_end,
                district.code,
                address,
                industry.code,
                industry.scope_new if established >= new_scope_from else industry.scope_old,
                authority,
                status,
                status_changed,
                employees,
                revenue,
                small_micro,
                parent_code,
                1,
                created,
                created,
            )
        )
    return out


_NEW_SCOPE_ORDINAL = _OLD_SCOPE_FROM.toordinal()


@dataclass(frozen=True, slots=True)
class ChunkSpec:
    """One unit of generation: which chunk, which entity indexes, which ids."""

    seed: int
    chunk: int
    start_id: int
    first_index: int
    count: int


def chunk_specs(
    *, count: int, seed: int, start_id: int = 1, first_index: int = 0
) -> list[ChunkSpec]:
    """Split ``count`` entities from index ``first_index`` (ids from ``start_id``) into chunks."""
    specs = []
    index, end = first_index, first_index + count
    while index < end:
        chunk = index // CHUNK_SIZE
        size = min(end, (chunk + 1) * CHUNK_SIZE) - index
        specs.append(ChunkSpec(seed, chunk, start_id + index - first_index, index, size))
        index += size
    return specs


def run_spec(spec: ChunkSpec) -> list[Row]:
    """The rows of one chunk spec (a top-level function, so worker processes can run it)."""
    return _rows(spec.seed, spec.chunk, spec.start_id, spec.first_index, spec.count)


def generate(
    *, count: int, seed: int, start_id: int = 1, first_index: int = 0
) -> Iterator[list[Row]]:
    """Chunks of rows for ``count`` entities with ids from ``start_id``, in this process."""
    for spec in chunk_specs(count=count, seed=seed, start_id=start_id, first_index=first_index):
        yield run_spec(spec)
