"""The words demo names are made of: people's surnames and given names, and the parts of
organizations' names by kind and industry (docs/demo-data.md)."""

from __future__ import annotations

from dangjian.orgs.models import Industry


def _words(text: str) -> list[str]:
    return text.split()


SURNAMES = (
    "刘李陈王张周彭唐罗谭黄杨曾吴邓易胡肖龙何文贺蒋谢朱廖钟刘李陈王张"
    "周彭唐罗谭黄杨邹徐孙马高林郭梁宋许韩冯曹田董袁潘蔡余杜叶程苏魏"
    "吕丁任沈姚卢姜欧石汤戴向颜邱雷段夏尹侯毛龚万严覃郑"
)
GIVEN_MALE = "伟强军勇杰涛斌磊波辉刚健明超峰华平鹏亮林文俊浩宇建国志新海湘晨毅凯鑫洋卫东红兵德"
GIVEN_FEMALE = "芳娟敏静丽艳娜霞玲燕红婷琳慧丹萍雪颖倩洁琴兰蓉晶莉佳欣怡秀英梅华春桂珍"
BRAND_FIRST = "启博康阳明新育乐益春星和正华睿同仁晨德弘善安颐福金蓝青知思惠恒致嘉瑞祥泰宏朗雅湘麓橘"
BRAND_SECOND = "明雅乐光德航才享民晖辰美阳章思心爱曦润毅行康和寿禾源信远诚达家新悦成益盛"

# Associations (社会团体): {prefix}{topic}{suffix}, e.g. 长沙市餐饮行业协会, 长沙市浙江商会.
ASSOCIATION_TOPICS: dict[str, tuple[list[str], list[str]]] = {
    Industry.TRADE: (
        _words(
            "餐饮 酒店 物业管理 建筑业 建筑装饰 房地产 汽车流通 电子商务 软件 湘绣 茶叶 家具 "
            "建材 物流 美容美发 烘焙 会计 广告 印刷 食品工业 医药 服装 珠宝玉石 家政服务 旅行社 "
            "中小企业 民营企业 浙江 福建 广东 江西 湖北 四川 邵阳 衡阳 常德 益阳 娄底 永州 温州 "
            "潮汕 莆田"
        ),
        _words("行业协会 协会 商会 产业促进会"),
    ),
    Industry.SCIENCE: (
        _words(
            "计算机 人工智能 机械工程 电子学 土木建筑 化学化工 地理 气象 农学 科普 生物技术 新材料 "
            "知识产权 标准化 测绘"
        ),
        _words("学会 研究会 协会"),
    ),
    Industry.CHARITY: (
        _words("慈善 志愿者 助残 扶贫济困 关爱留守儿童 助学 义工 红十字志愿"),
        _words("协会 总会 联合会"),
    ),
    Industry.COMMUNITY: (
        _words("社区服务 社区文化 邻里互助 社区志愿服务 物业业主 居家养老服务"),
        _words("协会 促进会"),
    ),
    Industry.EDUCATION: (
        _words("教育 民办教育 学前教育 职业教育 家庭教育 书法教育 外语教学"),
        _words("协会 学会 研究会"),
    ),
    Industry.HEALTH: (
        _words("医师 护理 中医药 康复医学 健康管理 预防医学 口腔医学 药学"),
        _words("协会 学会"),
    ),
    Industry.CULTURE: (
        _words(
            "作家 书法家 美术家 摄影家 音乐家 舞蹈家 戏剧家 花鼓戏 湘剧 楹联 收藏家 民间文艺家 诗词"
        ),
        _words("协会 学会 研究会"),
    ),
    Industry.SPORTS: (
        _words(
            "篮球 足球 乒乓球 羽毛球 围棋 象棋 游泳 登山 武术 太极拳 龙舟 健身气功 马拉松 网球 "
            "门球 钓鱼"
        ),
        _words("协会 运动协会"),
    ),
    Industry.ELDERLY: (_words("老年人 老年体育 老年书画 老年大学 养老服务"), _words("协会 研究会")),
    Industry.LAW: (_words("法学 人民调解 律师 公证 法律援助 仲裁"), _words("协会 研究会")),
    Industry.AGRICULTURE: (
        _words("种植业 畜禽养殖 蔬菜 水果 花卉苗木 渔业 农机 家庭农场"),
        _words("协会 联合会"),
    ),
    Industry.ENVIRONMENT: (
        _words("环境保护 环境科学 节能 资源综合利用 生态文明 野生动物保护"),
        _words("协会 学会 促进会"),
    ),
    Industry.OTHER: (
        _words("企业家 青年企业家 女企业家 退役军人 校友 归国华侨 婚姻家庭"),
        _words("协会 联谊会 联合会"),
    ),
}
# Service agencies (社会服务机构): {prefix}{brand}{template}, e.g. 长沙市芙蓉区启明培训学校.
SERVICE_TEMPLATES: dict[str, list[str]] = {
    Industry.EDUCATION: _words(
        "培训学校 幼儿园 艺术培训学校 职业技能培训学校 外国语学校 实验学校 教育培训中心"
    ),
    Industry.HEALTH: _words("门诊部 康复医院 中医诊所 护理院 口腔门诊部"),
    Industry.ELDERLY: _words("养老院 老年公寓 居家养老服务中心 颐养院 日间照料中心"),
    Industry.COMMUNITY: _words("社会工作服务中心 社区服务中心 家庭服务中心 邻里服务中心"),
    Industry.CHARITY: _words("公益服务中心 志愿服务中心 助残服务中心 儿童关爱中心"),
    Industry.CULTURE: _words("文化艺术中心 图书馆 美术馆 艺术团 博物馆"),
    Industry.SPORTS: _words("体育俱乐部 篮球俱乐部 游泳俱乐部 武术馆"),
    Industry.SCIENCE: _words("科技研究院 技术研究所 科普教育中心"),
    Industry.LAW: _words("法律服务中心 调解服务中心"),
    Industry.AGRICULTURE: _words("农业技术服务中心 农村发展研究中心"),
    Industry.ENVIRONMENT: _words("环保科普中心 生态环境研究中心"),
    Industry.TRADE: _words("人才交流服务中心 企业服务中心"),
    Industry.OTHER: _words("服务中心 发展研究中心 心理咨询服务中心"),
}
# Foundations (基金会): {prefix}{brand}{topic}, e.g. 长沙市春晖助学基金会.
FOUNDATION_TOPICS: dict[str, list[str]] = {
    Industry.CHARITY: ["慈善基金会", "公益基金会"],
    Industry.EDUCATION: ["教育基金会", "助学基金会"],
    Industry.CULTURE: ["文化发展基金会"],
    Industry.HEALTH: ["健康基金会"],
    Industry.OTHER: ["发展基金会"],
}
