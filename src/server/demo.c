/* demo: a deterministic generator of realistic demo content for `hotlined demo-data`. */
#include "demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hotline/codec.h"
#include "hotline/phone.h"
#include "hotline/rules.h"
#include "hotline/util.h"

#define DAY 86400
#define HOUR 3600
#define MINUTE 60
/* Days of history. */
#define SPAN_DAYS 30
/* Window for repeat callers. */
#define REPEAT_DAYS 30

/* ------------------------------------------------------------------ PRNG */

/* splitmix64: small, fast, good enough for demo data, and ours (no rand()). */
struct rng {
    uint64_t s;
};

/* Next 64 random bits. */
static uint64_t
rng_next(struct rng *r)
{
    uint64_t z;

    r->s += 0x9E3779B97F4A7C15ull;
    z = r->s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n) (0 when n is 0). */
static size_t
rng_below(struct rng *r, size_t n)
{
    return n == 0 ? 0 : (size_t)(rng_next(r) % n);
}

/* Uniform in [lo, hi]. */
static int64_t
rng_range(struct rng *r, int64_t lo, int64_t hi)
{
    if (hi <= lo)
        return lo;
    return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* True with the given percentage. */
static bool
rng_chance(struct rng *r, int percent)
{
    return (int)rng_below(r, 100) < percent;
}

/* ------------------------------------------------------------------ static content */

/* A unit, its user and a contact person. */
struct unit_def {
    const char *code;
    const char *name;
    const char *user_id;
    const char *contact;
};

static const struct unit_def units[] = {
    { "water", "市自来水公司", "u_water", "周建平" },
    { "gas", "市燃气集团", "u_gas", "孙立新" },
    { "power", "国网市供电公司", "u_power", "马志强" },
    { "urban_mgmt", "市城市管理局", "u_urban_mgmt", "吴海燕" },
    { "housing", "市住房和城乡建设局", "u_housing", "郭文" },
    { "transport", "市交通运输局", "u_transport", "何晓明" },
    { "env", "市生态环境局", "u_env", "林玉兰" },
    { "market", "市市场监督管理局", "u_market", "罗红梅" },
    { "hr_social", "市人力资源和社会保障局", "u_hr_social", "高建国" },
    { "health", "市卫生健康委员会", "u_health", "胡秀英" },
    { "education", "市教育局", "u_education", "朱桂英" },
    { "police_nonemg", "市公安局（非警务类警情）", "u_police_nonemg", "徐刚" },
    { "street_dongcheng", "东城区东湖街道办事处", "u_street_dongcheng", "黄平" },
    { "street_xicheng", "西城区西湖街道办事处", "u_street_xicheng", "赵华" },
};

/* Centre staff: agents first. */
struct staff_def {
    const char *id;
    const char *name;
    enum user_role role;
};

static const struct staff_def staff[] = {
    { "agent01", "王丽", USER_AGENT },
    { "agent02", "李娜", USER_AGENT },
    { "agent03", "张静", USER_AGENT },
    { "agent04", "刘洋", USER_AGENT },
    { "agent05", "陈晨", USER_AGENT },
    { "agent06", "杨帆", USER_AGENT },
    { "sup01", "赵敏", USER_SUPERVISOR },
    { "admin", "系统管理员", USER_ADMIN },
};
#define N_AGENTS 6
#define SUPERVISOR_ID "sup01"

/* A kind of request: category, nature, unit and the texts ("{loc}" = the location). */
struct tpl {
    const char *category;
    enum nature nature;
    const char *unit;
    const char *title;
    const char *desc;
    const char *response;     /* the unit's reply, or the direct answer for consults */
    const char *kb;           /* article used for a direct answer, or NULL */
};

static const struct tpl tpls[] = {
    { "urban.env.water_supply", NATURE_HELP, "water", "{loc}停水",
      "市民反映{loc}自昨晚起停水，事先未见停水通知，家中有老人生活不便，希望尽快恢复供水并说明原因。",
      "经查系{loc}附近供水管道爆裂，已连夜组织抢修并恢复供水，已向市民说明原因。", NULL },
    { "urban.env.water_supply", NATURE_COMPLAINT, "water", "{loc}自来水发黄有异味",
      "市民反映近一周{loc}自来水出水发黄、有异味，多次联系物业未解决，担心饮用安全。",
      "已派员现场取样检测，水质指标合格；发黄系二次供水水箱未按期清洗，已督促物业完成清洗。", NULL },
    { "urban.env.water_supply", NATURE_PRAISE, "water", "表扬自来水公司抢修及时",
      "市民来电表扬自来水公司抢修人员冒雨连夜抢修{loc}爆裂管道，第二天一早就恢复了供水。",
      "表扬已转达，感谢市民对供水工作的支持。", NULL },
    { "urban.env.gas_supply", NATURE_REPAIR, "gas", "{loc}燃气表充值后不通气",
      "市民反映家中IC卡燃气表充值后仍无法通气，已按说明更换电池，问题仍未解决。",
      "维修人员已上门检查，更换燃气表阀门后恢复正常用气。", NULL },
    { "urban.env.gas_supply", NATURE_ALARM, "gas", "{loc}楼道内有燃气味",
      "市民报称在{loc}楼道内闻到明显燃气味，已按坐席指引开窗通风、未开关电器，请求立即派员处置。",
      "抢险人员20分钟内到场，查明系楼道立管接口松动漏气，已紧固并检测合格。", NULL },
    { "urban.env.gas_supply", NATURE_SERVICE, "gas", "新房燃气开户通气申请",
      "市民在{loc}新购住房，申请办理燃气开户及通气点火，已备齐房产证明和身份证。",
      "已上门完成入户安全检查，办理开户并通气点火。", NULL },
    { "urban.env.gas_supply", NATURE_CONSULT, "gas", "燃气费缴纳渠道咨询",
      "市民咨询燃气费可以通过哪些渠道缴纳，能否线上充值。",
      "燃气费可通过营业厅、银行代收、燃气集团微信公众号及手机银行缴纳，IC卡表线上充值后需到表前写卡。",
      "KB-0031" },
    { "urban.env.social_noise", NATURE_COMPLAINT, "urban_mgmt", "{loc}夜市噪声扰民",
      "市民反映{loc}夜市经营至凌晨，音响喇叭声音很大，严重影响周边居民休息。",
      "已联合街道规范夜市经营，要求22时后停止使用扩音设备，并安排夜间巡查。", NULL },
    { "urban.env.night_construction_noise", NATURE_COMPLAINT, "env", "{loc}工地夜间施工扰民",
      "市民反映{loc}工地连续多晚施工至凌晨两点，未见夜间施工许可公示。",
      "经查该工地未办理夜间施工许可，已责令停止夜间施工并立案调查。", NULL },
    { "urban.env.street_lights", NATURE_REPAIR, "urban_mgmt", "{loc}路灯不亮",
      "市民反映{loc}一段约200米路灯全部不亮，夜间行人出行不安全。",
      "已更换损坏的路灯控制器，路灯恢复正常照明。", NULL },
    { "urban.env.sanitation", NATURE_COMPLAINT, "urban_mgmt", "{loc}垃圾堆积未清运",
      "市民反映{loc}垃圾桶满溢，垃圾已堆放三天未清运，气味难闻。",
      "已安排环卫车辆清运，并将该点位清运频次调整为每日两次。", NULL },
    { "urban.env.parking", NATURE_REPORT, "police_nonemg", "{loc}消防通道被长期占用",
      "市民举报{loc}消防通道常年被私家车占用，存在安全隐患。",
      "已对违停车辆依法处罚，并协调物业设置禁停标识和隔离桩。", NULL },
    { "urban.env.property_services", NATURE_COMPLAINT, "housing", "{loc}电梯频繁故障",
      "市民反映{loc}电梯经常故障停运，物业公司维修不及时，老人上下楼困难。",
      "已约谈物业公司，电梯已完成维修，并要求其建立定期维保制度。", NULL },
    { "urban.env.housing_fund", NATURE_CONSULT, "housing", "租房提取住房公积金咨询",
      "市民咨询租房提取住房公积金需要哪些材料，每年可以提取几次。",
      "租房提取需提供身份证、租赁合同及备案证明，每年可提取一次，可在公积金中心网站或窗口办理。",
      "KB-0016" },
    { "urban.env.illegal_building", NATURE_REPORT, "urban_mgmt", "{loc}楼顶违章搭建",
      "市民举报{loc}顶楼住户在楼顶违规搭建彩钢房，影响房屋安全。",
      "已下达限期拆除通知书，当事人已自行拆除违建。", NULL },
    { "urban.env.construction_wage_arrears", NATURE_HELP, "hr_social", "{loc}工地拖欠农民工工资",
      "市民反映在{loc}工地务工三个月，施工单位拖欠工资约两万元，多次讨要未果。",
      "已约谈施工总包单位，拖欠工资已全部支付到位。", NULL },
    { "urban.env.dog_mgmt", NATURE_COMPLAINT, "police_nonemg", "{loc}流浪犬聚集",
      "市民反映{loc}附近有多只流浪犬聚集，早晚追咬行人，孩子上学不安全。",
      "已联系犬类收容所捕捉流浪犬5只，并加强巡查。", NULL },
    { "urban.env.air_pollution", NATURE_REPORT, "env", "{loc}餐馆油烟直排",
      "市民举报{loc}一楼餐馆未安装油烟净化设施，油烟直排居民楼。",
      "已责令该餐馆限期安装油烟净化设备，复查已整改到位。", NULL },
    { "urban.env.landscaping", NATURE_SUGGESTION, "urban_mgmt", "建议{loc}增设休闲座椅",
      "市民建议在{loc}增设休闲座椅和遮阳设施，方便老人休息。",
      "建议已收悉，已纳入本年度绿地提升计划。", NULL },
    { "urban.env.municipal_facilities", NATURE_REPAIR, "urban_mgmt", "{loc}井盖缺失",
      "市民反映{loc}人行道上一处井盖缺失，已有行人险些踩空，请尽快处理。",
      "已设置警示围挡并更换新井盖。", NULL },
    { "urban.env.cityscape", NATURE_COMPLAINT, "urban_mgmt", "{loc}占道经营",
      "市民反映{loc}早晚有摊贩占用人行道经营，行人只能走机动车道。",
      "已对占道摊贩进行劝导和规范，引导其进入便民市场经营。", NULL },
    { "industry.transport.public_transit", NATURE_SUGGESTION, "transport", "建议增加途经{loc}的公交班次",
      "市民建议早高峰增加途经{loc}的公交班次，目前候车时间超过二十分钟。",
      "已将建议转公交集团研究，早高峰将加密发车。", NULL },
    { "industry.transport.public_transit", NATURE_PRAISE, "transport", "表扬公交司机拾金不昧",
      "市民来电表扬途经{loc}的公交车驾驶员归还其遗落在车上的钱包。",
      "表扬已转达公交集团。", NULL },
    { "industry.transport.taxi", NATURE_COMPLAINT, "transport", "出租车绕路拒绝打表",
      "市民反映乘坐出租车从火车站到{loc}，司机绕路且拒绝打表，车牌号已记录。",
      "经调取行车记录核实，已对驾驶员依法处罚并退还多收车费。", NULL },
    { "industry.transport.power_supply", NATURE_REPAIR, "power", "{loc}频繁跳闸停电",
      "市民反映{loc}近一周频繁跳闸停电，影响冰箱等电器使用。",
      "已更换老化的配电变压器开关，供电恢复稳定。", NULL },
    { "labor.hr.employee_pension", NATURE_CONSULT, "hr_social", "养老保险关系转移咨询",
      "市民咨询从外省调入本市工作，养老保险关系如何转移接续。",
      "可向本市社保经办机构提出转入申请，由转入地向转出地发联系函，无需本人往返两地。", "KB-0015" },
    { "labor.hr.labor_dispute", NATURE_HELP, "hr_social", "公司未签劳动合同未缴社保",
      "市民反映入职半年公司一直未签订劳动合同，也未缴纳社保，询问如何维权。",
      "劳动保障监察大队已约谈该公司，责令其补签劳动合同并补缴社保。", NULL },
    { "labor.hr.employee_medical_insurance", NATURE_CONSULT, "hr_social", "异地就医备案咨询",
      "市民咨询到外省长期居住，医保异地就医备案如何办理。",
      "可通过国家医保服务平台或手机APP办理异地就医备案，备案后可直接结算。", "KB-0024" },
    { "sci.edu.culture.health.education", NATURE_CONSULT, "education", "小学入学报名咨询",
      "市民咨询孩子户籍在{loc}，今年秋季小学入学报名的时间和所需材料。",
      "报名一般在6月中旬通过教育局招生平台进行，需户口簿、房产证明及儿童预防接种证明。", NULL },
    { "sci.edu.culture.health.school_fees", NATURE_COMPLAINT, "education", "学校违规收取资料费",
      "市民反映{loc}附近某中学要求每名学生缴纳三百元教辅资料费，未开具票据。",
      "经查属实，已责令学校全额退还并通报批评。", NULL },
    { "sci.edu.culture.health.health_medical", NATURE_COMPLAINT, "health", "医院挂号排队时间过长",
      "市民反映在市第一人民医院门诊挂号排队超过两小时，开放的窗口太少。",
      "已督促医院增开挂号窗口并推广自助机和线上预约。", NULL },
    { "sci.edu.culture.health.food_safety", NATURE_REPORT, "market", "{loc}超市销售过期食品",
      "市民举报{loc}超市货架上有过期的酸奶和面包在售。",
      "已立案调查，过期食品已下架，依法对超市作出处罚。", NULL },
    { "finance.tax.prices", NATURE_COMPLAINT, "market", "{loc}停车场乱收费",
      "市民反映{loc}停车场收费标准未公示，停车半小时收费二十元。",
      "已责令停车场公示收费标准并退还多收费用。", NULL },
    { "finance.tax.business_license", NATURE_SERVICE, "market", "个体工商户营业执照办理",
      "市民计划在{loc}开设便利店，申请办理个体工商户营业执照。",
      "已指导市民通过网上登记平台提交材料，营业执照已核发。", NULL },
    { "justice.civil.household_registration", NATURE_CONSULT, "police_nonemg", "户口迁移咨询",
      "市民咨询在本市购房后如何将户口从外地迁入。",
      "持房产证、身份证、户口簿到房屋所在地派出所申请，审核通过后开具准迁证。", "KB-0023" },
    { "justice.civil.min_living_allowance", NATURE_HELP, "street_dongcheng", "申请最低生活保障",
      "市民反映家中老人患病，家庭收入微薄，希望申请最低生活保障。",
      "街道已上门核实家庭情况并受理低保申请，正在公示。", NULL },
    { "justice.civil.public_order", NATURE_REPORT, "police_nonemg", "{loc}棋牌室深夜聚众喧哗",
      "市民举报{loc}一楼棋牌室每晚聚集多人至深夜，疑似赌博并大声喧哗。",
      "辖区派出所已出警检查，对经营者批评教育并责令规范经营。", NULL },
    { "services.gov_service_approval", NATURE_SUGGESTION, "street_xicheng", "建议便民服务中心延长办公时间",
      "市民建议{loc}附近的便民服务中心周末开放半天，方便上班族办事。",
      "已采纳建议，便民服务中心自下月起周六上午开放。", NULL },
    { "other.elderly", NATURE_HELP, "street_xicheng", "独居老人需要上门帮扶",
      "市民反映{loc}一位独居老人行动不便，近期无人照料，希望社区上门帮扶。",
      "社区已安排网格员上门探访，并为老人申请居家养老服务。", NULL },
    { "other.gov_efficiency", NATURE_COMPLAINT, "street_dongcheng", "窗口工作人员态度生硬",
      "市民反映在{loc}便民服务窗口办事时，工作人员态度生硬、一次性告知不到位，跑了三趟。",
      "已对当事工作人员批评教育，并落实一次性告知制度。", NULL },
};

/* Generic texts for categories without a template. */
static const char generic_title[] = "{loc}相关问题";
static const char generic_desc[] = "市民来电反映{loc}存在相关问题，希望有关部门尽快核实处理并答复。";
static const char generic_response[] = "已收悉并现场核实处理，已向市民反馈处理情况。";
static const char generic_answer[] = "已根据知识库向市民解释相关政策和办理渠道，市民表示清楚。";

/* Where matters happen. */
static const char *const locations[] = {
    "东城区幸福里小区", "东城区人民路与解放路交叉口", "东城区长途汽车站", "东城区实验小学门口",
    "东城区东湖花园", "西城区文化路", "西城区金茂广场工地", "西城区望江花园5栋",
    "西城区第一人民医院", "南湖区滨河公园", "南湖区春晖菜市场", "南湖区锦绣家园",
    "南湖区建设街", "北山区和平街道", "北山区新华路88号", "北山区阳光城小区",
    "高新区科技大道", "高新区创业园区B区", "高新区翠湖苑", "北山区青年路夜市",
};
/* Sides of a place ("" = the place itself). */
static const char *const sides[] = { "", "附近", "东侧", "西侧", "南门", "北门", "对面", "周边" };
#define N_SIDES ARRAY_SIZE(sides)
static const char cluster_location[] = "西城区文化路夜市";
static const char cluster_category[] = "urban.env.social_noise";

static const char *const districts[] = { "东城区", "西城区", "南湖区", "北山区", "高新区" };
static const char *const roads[] = {
    "人民路", "解放路", "建设街", "中山路", "和平路", "幸福大街", "文化路", "新华路", "青年路",
    "胜利街",
};
static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
};
static const char *const given_m[] = {
    "伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "建国", "志强", "晓东", "立新",
    "海波", "国庆", "德明", "文斌",
};
static const char *const given_f[] = {
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "秀英", "桂英", "海燕", "玉兰", "红梅", "晓燕",
    "丽华", "春梅", "雪梅", "婷", "慧",
};
static const char *const mobile_prefixes[] = {
    "138", "139", "135", "136", "137", "150", "151", "152", "158", "159", "182", "183", "187",
    "188", "130", "131", "132", "155", "156", "185", "186", "133", "153", "180", "181", "189",
    "177", "199", "166", "176",
};

static const char *const return_reasons[] = {
    "经核实该事项不属于本单位职责范围，请重新派单。",
    "诉求地址不在本单位管辖范围内，建议转属地街道办理。",
    "工单信息不全，多次联系市民未果，无法核实。",
};
static const char *const extension_reasons[] = {
    "需协调多个部门联合处置，申请延期。",
    "涉及管网改造施工，需等待材料到货。",
    "当事人外出，需待其返回后现场核实。",
};
static const char *const urge_notes[] = {
    "市民来电催办，请加快办理。",
    "市民情绪激动，请尽快答复。",
};
static const char *const supervise_notes[] = {
    "群众集中反映问题，列入督办，请承办单位限期办结。",
    "逾期未办结，请说明原因并尽快处理。",
};

/* ------------------------------------------------------------------ plans */

/* What becomes of a ticket. */
enum scenario {
    SC_ACCEPTED, SC_DIRECT, SC_DISPATCHED, SC_IN_PROGRESS, SC_RETURNED, SC_REPLIED,
    SC_CALLBACK, SC_CLOSED_UNIT, SC_UNREACHABLE, SC_WITHDRAWN, SC_ARCHIVED, SC_REDO_OPEN,
    SC_REDO_CLOSED, SC_NEAR_DUE, SC_COUNT
};

/* Relative weight of each scenario among the random tickets (consults: see plan_random). */
static const int scenario_weight[SC_COUNT] = {
    [SC_ACCEPTED] = 3, [SC_DIRECT] = 3, [SC_DISPATCHED] = 6, [SC_IN_PROGRESS] = 16,
    [SC_RETURNED] = 3, [SC_REPLIED] = 6, [SC_CALLBACK] = 6, [SC_CLOSED_UNIT] = 30,
    [SC_UNREACHABLE] = 4, [SC_WITHDRAWN] = 4, [SC_ARCHIVED] = 14, [SC_REDO_OPEN] = 3,
    [SC_REDO_CLOSED] = 4, [SC_NEAR_DUE] = 0,
};

/* Age range of each scenario (how long before now the ticket was accepted), seconds. */
static const int64_t scenario_age[SC_COUNT][2] = {
    [SC_ACCEPTED] = { 5 * MINUTE, 100 * MINUTE },
    [SC_DIRECT] = { 20 * MINUTE, 29 * DAY },
    [SC_DISPATCHED] = { 1 * HOUR, 18 * HOUR },
    [SC_IN_PROGRESS] = { 4 * HOUR, 14 * DAY },
    [SC_RETURNED] = { 4 * HOUR, 20 * HOUR },
    [SC_REPLIED] = { 1 * DAY, 4 * DAY },
    [SC_CALLBACK] = { 2 * DAY, 5 * DAY },
    [SC_CLOSED_UNIT] = { 4 * DAY, 29 * DAY },
    [SC_UNREACHABLE] = { 5 * DAY, 29 * DAY },
    [SC_WITHDRAWN] = { 1 * DAY, 29 * DAY },
    [SC_ARCHIVED] = { 12 * DAY, 29 * DAY + 12 * HOUR },
    [SC_REDO_OPEN] = { 4 * DAY, 12 * DAY },
    [SC_REDO_CLOSED] = { 8 * DAY, 29 * DAY },
    [SC_NEAR_DUE] = { 0, 0 },
};

/* One ticket to make. */
struct plan {
    size_t order;             /* index in the plan list (tie-break) */
    enum scenario sc;
    const struct tpl *tpl;    /* NULL: generic texts */
    const char *category;     /* borrowed */
    const char *unit;         /* lead unit */
    const char *location;
    enum nature nature;
    enum channel channel;
    enum urgency urgency;
    int level;
    size_t caller;
    size_t agent;
    bool confidential;
    bool assist, ret, ext, urge, supervise, late_dispatch, late_reply, early_withdraw;
    bool quick;               /* a guaranteed scenario: the unit replies within hours */
    hl_time created;
    int64_t requested_hours;  /* the caller's own limit, hours after acceptance; 0 = none */
    int64_t near_hours;       /* SC_NEAR_DUE: complaint limit in hours */
};

/* A generated caller. */
struct caller_def {
    char name[32];
    enum salutation sal;
    char phone[24];
    char address[160];
};

/* The generator's state. */
struct gen {
    const struct wf_ctx *c;
    struct rng rng;
    hl_time now;
    hl_time limit;            /* every action happens at or before this */
    const char *const *cats;
    size_t n_cats;
    const struct tpl *usable[ARRAY_SIZE(tpls)];
    size_t n_usable;
    const char *tpl_cats[ARRAY_SIZE(tpls)];
    char places[ARRAY_SIZE(locations)][N_SIDES][64];
    size_t spread;            /* 1 + n / 500: house numbers per place */
    char **pool;              /* generated location strings */
    size_t n_pool;
    struct caller_def *callers;
    size_t n_callers;
    struct plan *plans;
    size_t n_plans;
};

/* True when code is one of the given categories. */
static bool
category_known(const struct gen *g, const char *code)
{
    for (size_t i = 0; i < g->n_cats; i++) {
        if (g->cats[i] != NULL && strcmp(g->cats[i], code) == 0)
            return true;
    }
    return false;
}

/* Lead unit of a category without a template, by its top-level code. */
static const char *
unit_for_category(const char *code)
{
    static const struct {
        const char *top;
        const char *unit;
    } map[] = {
        { "urban.env", "urban_mgmt" }, { "agri.econ", "street_dongcheng" },
        { "justice.civil", "police_nonemg" }, { "industry.transport", "transport" },
        { "labor.hr", "hr_social" }, { "sci.edu.culture.health", "health" },
        { "finance.tax", "market" }, { "services", "market" },
    };

    for (size_t i = 0; code != NULL && i < ARRAY_SIZE(map); i++) {
        if (str_starts_with(code, map[i].top))
            return map[i].unit;
    }
    return "street_xicheng";
}

/* A template of nature n (any nature when n < 0), or NULL when none is usable. */
static const struct tpl *
pick_tpl(struct gen *g, int n)
{
    const struct tpl *cand[ARRAY_SIZE(tpls)];
    size_t k = 0;

    for (size_t i = 0; i < g->n_usable; i++) {
        if (n < 0 || g->usable[i]->nature == (enum nature)n)
            cand[k++] = g->usable[i];
    }
    return k > 0 ? cand[rng_below(&g->rng, k)] : NULL;
}

/* A location: a place plus a side of it, so unrelated tickets rarely share one. */
static const char *
pick_location(struct gen *g)
{
    size_t i = rng_below(&g->rng, ARRAY_SIZE(locations));
    size_t k = rng_below(&g->rng, N_SIDES);
    size_t num = rng_below(&g->rng, g->spread);
    char *loc;

    if (num == 0)
        return g->places[i][k];
    /* many tickets: house numbers keep unrelated matters apart */
    loc = xasprintf("%s%zu号%s", locations[i], num, sides[k]);
    g->pool = xrealloc(g->pool, (g->n_pool + 1) * sizeof *g->pool);
    g->pool[g->n_pool++] = loc;
    return loc;
}

/* Set the matter of a plan from a template (or generic texts for nature n). */
static void
plan_matter(struct gen *g, struct plan *p, const struct tpl *t, int n)
{
    p->tpl = t;
    if (t != NULL) {
        p->category = t->category;
        p->nature = t->nature;
        p->unit = t->unit;
    } else {
        p->category = g->n_cats > 0 ? g->cats[rng_below(&g->rng, g->n_cats)] : "other.elderly";
        p->nature = n >= 0 ? (enum nature)n : (enum nature)rng_below(&g->rng, NATURE_COUNT);
        p->unit = unit_for_category(p->category);
    }
    p->location = pick_location(g);
}

/* A channel by realistic weights. */
static enum channel
pick_channel(struct gen *g)
{
    static const int w[CHANNEL_COUNT] = { 62, 8, 12, 8, 4, 2, 4 };
    int x = (int)rng_below(&g->rng, 100);

    for (int i = 0; i < CHANNEL_COUNT; i++) {
        if (x < w[i])
            return (enum channel)i;
        x -= w[i];
    }
    return CHANNEL_PHONE;
}

/* A scenario by weight. */
static enum scenario
pick_scenario(struct gen *g)
{
    int total = 0;
    int x;

    for (int i = 0; i < SC_COUNT; i++)
        total += scenario_weight[i];
    x = (int)rng_below(&g->rng, (size_t)total);
    for (int i = 0; i < SC_COUNT; i++) {
        if (x < scenario_weight[i])
            return (enum scenario)i;
        x -= scenario_weight[i];
    }
    return SC_CLOSED_UNIT;
}

/* Local day number and seconds of the day of an instant. */
static int64_t
local_day(const struct tz *tz, hl_time t, int *sod)
{
    struct civil_time ct;

    tz_to_civil(tz, t, &ct);
    if (sod != NULL)
        *sod = ct.hour * 3600 + ct.minute * 60 + ct.second;
    return datetime_days_from_civil(ct.year, ct.month, ct.day);
}

/* Instant of a local day at seconds of the day. */
static hl_time
local_at(const struct tz *tz, int64_t day, int sod)
{
    int y;
    int m;
    int d;

    datetime_civil_from_days(day, &y, &m, &d);
    return tz_from_civil(tz, y, m, d, sod / 3600, sod / 60 % 60, sod % 60);
}

/* Move t into [from, to) seconds of the day (same day, or the next day's opening). */
static hl_time
office_hours(struct gen *g, hl_time t, int from, int to)
{
    int sod;
    int64_t day = local_day(g->c->tz, t, &sod);

    if (sod >= from && sod < to)
        return t;
    if (sod >= to)
        day++;
    return local_at(g->c->tz, day, from + (int)rng_range(&g->rng, 0, 50 * MINUTE));
}

/* Set the acceptance time from the scenario's age, mostly in the daytime. */
static void
plan_time(struct gen *g, struct plan *p)
{
    int64_t lo = scenario_age[p->sc][0];
    int64_t hi = scenario_age[p->sc][1];
    hl_time t = g->now - rng_range(&g->rng, lo, hi);
    int sod;
    int64_t day = local_day(g->c->tz, t, &sod);

    /* a hotline runs 7x24 but most calls come in the day: move most night calls */
    if ((sod < 7 * HOUR || sod >= 22 * HOUR) && rng_chance(&g->rng, 80)) {
        hl_time moved = local_at(g->c->tz, day, (int)rng_range(&g->rng, 8 * HOUR, 20 * HOUR));

        if (moved <= g->now - lo && moved >= g->now - (int64_t)SPAN_DAYS * DAY)
            t = moved;
    }
    p->created = t;
}

/* Random variations of a work order. */
static void
plan_variations(struct gen *g, struct plan *p)
{
    p->assist = rng_chance(&g->rng, 18);
    p->ret = rng_chance(&g->rng, 8);
    p->ext = rng_chance(&g->rng, 12);
    p->urge = rng_chance(&g->rng, 12);
    p->supervise = rng_chance(&g->rng, 5);
    p->late_dispatch = rng_chance(&g->rng, 8);
    p->late_reply = rng_chance(&g->rng, 14);
    p->early_withdraw = rng_chance(&g->rng, 40);
    if (p->nature == NATURE_COMPLAINT) {
        int x = (int)rng_below(&g->rng, 100);

        p->level = x < 70 ? 0 : x < 80 ? 1 : x < 90 ? 2 : 3;
    }
    p->confidential = rng_chance(&g->rng, p->nature == NATURE_COMPLAINT
                                          || p->nature == NATURE_REPORT ? 20 : 3);
    if (p->nature == NATURE_ALARM) {
        p->urgency = URGENCY_EMERGENCY;
        p->channel = CHANNEL_PHONE;
        p->supervise = true;
        p->late_dispatch = false;
    } else if (rng_chance(&g->rng, 6)) {
        p->urgency = URGENCY_URGENT;
    }
    if (rng_chance(&g->rng, 3))
        p->requested_hours = rng_range(&g->rng, 20, 40);
}

/* Callback scenarios need a nature that owes a callback; remap the others. */
static void
plan_fix_scenario(struct gen *g, struct plan *p)
{
    bool cb = rules_callback_required(g->c->rules, p->nature);

    if (cb)
        return;
    switch (p->sc) {
    case SC_CALLBACK:
        p->sc = SC_REPLIED;
        break;
    case SC_UNREACHABLE:
    case SC_REDO_OPEN:
    case SC_REDO_CLOSED:
        p->sc = SC_CLOSED_UNIT;
        break;
    default:
        break;
    }
}

/* Add a plan with everything random except what the caller sets afterwards. */
static struct plan *
plan_add(struct gen *g, enum scenario sc, int nature)
{
    struct plan *p = &g->plans[g->n_plans];
    const struct tpl *t = pick_tpl(g, nature);

    memset(p, 0, sizeof *p);
    p->order = g->n_plans++;
    p->sc = sc;
    /* a template when one fits; otherwise (and for one ticket in ten) generic texts */
    if (t == NULL || (nature < 0 && rng_chance(&g->rng, 10)))
        t = NULL;
    plan_matter(g, p, t, nature);
    p->channel = pick_channel(g);
    p->urgency = URGENCY_NORMAL;
    p->caller = p->order;
    p->agent = rng_below(&g->rng, N_AGENTS);
    plan_variations(g, p);
    if (p->sc == SC_DIRECT && p->channel != CHANNEL_PHONE && rng_chance(&g->rng, 50))
        p->channel = CHANNEL_PHONE;
    plan_fix_scenario(g, p);
    plan_time(g, p);
    return p;
}

/* The plan list: the guarantees first, then random tickets. */
static void
make_plans(struct gen *g, size_t n)
{
    static const enum scenario forced[] = {
        SC_ACCEPTED, SC_DIRECT, SC_DISPATCHED, SC_IN_PROGRESS, SC_RETURNED, SC_REPLIED,
        SC_CALLBACK, SC_CLOSED_UNIT, SC_UNREACHABLE, SC_WITHDRAWN, SC_ARCHIVED, SC_REDO_OPEN,
        SC_REDO_CLOSED,
    };
    static const enum scenario cluster_sc[] = {
        SC_CLOSED_UNIT, SC_ARCHIVED, SC_IN_PROGRESS, SC_CLOSED_UNIT, SC_REPLIED, SC_DISPATCHED,
    };
    const struct tpl *cluster_tpl = NULL;
    size_t first_random;

    g->plans = xcalloc(n, sizeof *g->plans);
    /* every nature and channel */
    for (int i = 0; i < NATURE_COUNT && g->n_plans < n; i++) {
        struct plan *p = plan_add(g, i == NATURE_CONSULT ? SC_DIRECT : SC_CLOSED_UNIT, i);

        p->channel = (enum channel)(i % CHANNEL_COUNT);
        if (p->nature == NATURE_ALARM)
            p->channel = CHANNEL_PHONE;
    }
    for (int i = NATURE_COUNT; i < CHANNEL_COUNT && g->n_plans < n; i++)
        plan_add(g, SC_CLOSED_UNIT, NATURE_HELP)->channel = (enum channel)i;
    /* every scenario twice, on natures that owe a callback */
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < ARRAY_SIZE(forced) && g->n_plans < n; i++) {
            struct plan *p = plan_add(g, forced[i], forced[i] == SC_DIRECT ? NATURE_CONSULT
                                                    : k == 0 ? NATURE_HELP : NATURE_COMPLAINT);

            p->quick = true;
            p->late_reply = false;

            if (k == 0 && forced[i] == SC_IN_PROGRESS) {
                /* an old one: overdue */
                p->created = g->now - 6 * DAY - (hl_time)rng_range(&g->rng, 0, 2 * DAY);
                p->ext = false;
            }
        }
    }
    /* near due: complaints of 3 and 24 hours, dispatched and accepted */
    for (int i = 0; i < 2 && g->n_plans < n; i++) {
        struct plan *p = plan_add(g, SC_NEAR_DUE, NATURE_COMPLAINT);

        p->near_hours = i == 0 ? 3 : 24;
        p->level = i == 0 ? 3 : 2;
        p->created = g->now - (i == 0 ? 150 * MINUTE : 20 * HOUR);
        p->late_dispatch = false;
        p->requested_hours = 0;
        p->ret = false;
        p->assist = false;
    }
    /* emergencies */
    for (int i = 0; i < 3 && g->n_plans < n; i++)
        plan_add(g, i == 0 ? SC_IN_PROGRESS : SC_CLOSED_UNIT, NATURE_ALARM);
    /* a cluster: 6 callers, one category and location */
    for (size_t i = 0; i < g->n_usable; i++) {
        if (strcmp(g->usable[i]->category, cluster_category) == 0)
            cluster_tpl = g->usable[i];
    }
    for (size_t i = 0; i < ARRAY_SIZE(cluster_sc) && g->n_plans < n; i++) {
        struct plan *p = plan_add(g, cluster_sc[i], NATURE_COMPLAINT);

        plan_matter(g, p, cluster_tpl, NATURE_COMPLAINT);
        if (cluster_tpl == NULL && g->n_cats > 0)
            p->category = g->cats[0];
        p->location = cluster_location;
        p->level = 0;
        p->supervise = i == 2;
        plan_fix_scenario(g, p);
    }
    first_random = g->n_plans;
    while (g->n_plans < n) {
        enum scenario sc = pick_scenario(g);
        struct plan *p = plan_add(g, sc, -1);

        if (p->nature == NATURE_CONSULT && rng_chance(&g->rng, 70)) {
            p->sc = SC_DIRECT;
            plan_time(g, p);
        }
    }
    /* repeat callers: some callers call again about other matters */
    for (size_t r = 0; first_random < n && r < n / 25 + 2; r++) {
        size_t a = first_random + rng_below(&g->rng, n - first_random);
        int more = (int)rng_range(&g->rng, 1, 3);

        for (int k = 0; k < more; k++) {
            size_t b = first_random + rng_below(&g->rng, n - first_random);

            g->plans[b].caller = g->plans[a].caller;
        }
    }
}

/* Make the caller pool (one per plan; repeat callers share an index). */
static void
make_callers(struct gen *g, size_t n)
{
    g->callers = xcalloc(n, sizeof *g->callers);
    g->n_callers = n;
    for (size_t i = 0; i < n; i++) {
        struct caller_def *cd = &g->callers[i];
        bool male = rng_chance(&g->rng, 50);
        const char *sur = surnames[rng_below(&g->rng, ARRAY_SIZE(surnames))];
        const char *given = male ? given_m[rng_below(&g->rng, ARRAY_SIZE(given_m))]
                                 : given_f[rng_below(&g->rng, ARRAY_SIZE(given_f))];

        if (rng_chance(&g->rng, 30))
            given = "";          /* only the surname was given */
        snprintf(cd->name, sizeof cd->name, "%s%s", sur, given);
        cd->sal = male ? SALUTATION_MR : SALUTATION_MS;
        if (rng_chance(&g->rng, 10))
            snprintf(cd->phone, sizeof cd->phone, "0531-8%07u",
                     (unsigned)rng_below(&g->rng, 10000000));
        else
            snprintf(cd->phone, sizeof cd->phone, "%s%08u",
                     mobile_prefixes[rng_below(&g->rng, ARRAY_SIZE(mobile_prefixes))],
                     (unsigned)rng_below(&g->rng, 100000000));
        if (rng_chance(&g->rng, 85))
            snprintf(cd->address, sizeof cd->address, "%s%s%d号%d栋%d单元%d室",
                     districts[rng_below(&g->rng, ARRAY_SIZE(districts))],
                     roads[rng_below(&g->rng, ARRAY_SIZE(roads))], (int)rng_range(&g->rng, 1, 300),
                     (int)rng_range(&g->rng, 1, 30), (int)rng_range(&g->rng, 1, 6),
                     (int)rng_range(&g->rng, 1, 28) * 100 + (int)rng_range(&g->rng, 1, 4));
    }
}

/* ------------------------------------------------------------------ simulation */

/* Text of a template string with {loc} replaced. Caller owns. */
static char *
fill(const char *text, const char *loc)
{
    struct strbuf sb;
    const char *p = text;
    const char *m;

    strbuf_init(&sb);
    while ((m = strstr(p, "{loc}")) != NULL) {
        strbuf_add(&sb, p, (size_t)(m - p));
        strbuf_adds(&sb, loc);
        p = m + 5;
    }
    strbuf_adds(&sb, p);
    return strbuf_detach(&sb);
}

/* A running simulation of one ticket. */
struct sim {
    struct gen *g;
    struct ticket *t;
    const struct plan *p;
    hl_time cur;              /* time of the last change */
    const char *agent;
};

/* Apply b by who at `at` (or the verdict's possible_from when still in the past);
 * b is released. True (and cur moved) when applied. */
static bool
try_act(struct sim *s, struct action_body *b, const struct rule_actor *who, hl_time at)
{
    struct verdict v;
    struct err e;
    bool done = false;

    if (at < s->cur)
        at = s->cur;
    if (at > s->g->limit)
        goto out;
    if (workflow_apply(s->g->c, s->t, b, who, at, &v, &e) == HL_OK) {
        done = true;
    } else if (v.possible_from > at && v.possible_from <= s->g->limit) {
        hl_time later = v.possible_from + (hl_time)rng_range(&s->g->rng, 0, 20 * MINUTE);

        at = later <= s->g->limit ? later : v.possible_from;
        done = workflow_apply(s->g->c, s->t, b, who, at, &v, &e) == HL_OK;
        if (!done && at != v.possible_from) {
            at = v.possible_from;
            done = at > s->cur && at <= s->g->limit
                   && workflow_apply(s->g->c, s->t, b, who, at, &v, &e) == HL_OK;
        }
    }
    if (done)
        s->cur = at;
out:
    codec_action_fini(b);
    return done;
}

/* An empty body for action a. */
static void
body(struct action_body *b, enum action a)
{
    memset(b, 0, sizeof *b);
    b->action = a;
}

/* The actor of a unit. */
static struct rule_actor
unit_actor(const char *code)
{
    struct rule_actor a = { USER_UNIT, code, code };

    for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
        if (strcmp(units[i].code, code) == 0)
            a.user_id = units[i].user_id;
    }
    return a;
}

/* An agent of the centre. */
static struct rule_actor
agent_actor(const char *id)
{
    struct rule_actor a = { USER_AGENT, NULL, id };

    return a;
}

/* The supervisor. */
static struct rule_actor
supervisor_actor(void)
{
    struct rule_actor a = { USER_SUPERVISOR, NULL, SUPERVISOR_ID };

    return a;
}

/* A random agent id. */
static const char *
any_agent(struct gen *g)
{
    return staff[rng_below(&g->rng, N_AGENTS)].id;
}

/* The street office of a location's district (属地): assists and re-dispatch go there. */
static const char *
street_of(const char *location, const char *not)
{
    const char *u = location != NULL && (str_starts_with(location, "西城区")
                                          || str_starts_with(location, "北山区"))
                    ? "street_xicheng" : "street_dongcheng";

    if (not != NULL && strcmp(u, not) == 0)
        return strcmp(not, "urban_mgmt") == 0 ? "street_xicheng" : "urban_mgmt";
    return u;
}

/* A unit other than `not`. */
static const char *
other_unit(struct gen *g, const char *not)
{
    const char *u;

    do {
        u = units[rng_below(&g->rng, ARRAY_SIZE(units))].code;
    } while (strcmp(u, not) == 0);
    return u;
}

/* Dispatch to lead (+ assist). */
static bool
sim_dispatch(struct sim *s, const char *lead, const char *assist, hl_time at)
{
    struct action_body b;
    struct rule_actor who = agent_actor(s->agent);

    body(&b, ACTION_DISPATCH);
    b.n_units = assist != NULL ? 2 : 1;
    b.units = xcalloc(b.n_units, sizeof *b.units);
    b.units[0].unit = xstrdup(lead);
    b.units[0].role = ROLE_LEAD;
    if (assist != NULL) {
        b.units[1].unit = xstrdup(assist);
        b.units[1].role = ROLE_ASSIST;
    }
    if (s->p->urgency == URGENCY_EMERGENCY)
        b.note = xstrdup("紧急事项，已电话通知承办单位立即处置。");
    return try_act(s, &b, &who, at);
}

/* A unit action without text (accept) or with a text (return, reply). */
static bool
sim_unit(struct sim *s, enum action a, const char *unit, const char *text, hl_time at)
{
    struct action_body b;
    struct rule_actor who = unit_actor(unit);

    body(&b, a);
    if (a == ACTION_RETURN)
        b.reason = xstrdup(text);
    else if (a == ACTION_REPLY)
        b.reply = xstrdup(text);
    return try_act(s, &b, &who, at);
}

/* A callback attempt. */
static bool
sim_callback(struct sim *s, enum cb_outcome o, enum satisfaction sat, hl_time at)
{
    static const char *const notes[SAT_COUNT] = {
        NULL, "市民对处理结果表示满意。", "市民表示基本满意，希望加强日常管理。",
        "市民表示问题仍未解决，要求重新处理。",
    };
    struct action_body b;
    struct rule_actor who = agent_actor(any_agent(s->g));

    body(&b, ACTION_CALLBACK);
    b.outcome = o;
    b.satisfaction = o == CB_REACHED ? sat : SAT_NONE;
    if (o == CB_REACHED)
        b.note = xstrdup(notes[sat]);
    else if (o == CB_REFUSED)
        b.note = xstrdup("市民表示已知晓处理结果，不愿接受回访。");
    else
        b.note = xstrdup(o == CB_BUSY ? "占线。" : "无人接听。");
    return try_act(s, &b, &who, office_hours(s->g, at, 9 * HOUR, 20 * HOUR));
}

/* Close with a note by the ticket's agent. */
static bool
sim_close(struct sim *s, const char *note, hl_time at)
{
    struct action_body b;
    struct rule_actor who = agent_actor(s->agent);

    body(&b, ACTION_CLOSE);
    b.note = xstrdup(note);
    return try_act(s, &b, &who, office_hours(s->g, at, 8 * HOUR, 22 * HOUR));
}

/* A time for a unit: office hours when the deadline leaves room for it. */
static hl_time
unit_time(struct sim *s, hl_time at)
{
    if (s->p->urgency == URGENCY_EMERGENCY || s->p->quick
        || (s->t->due_at != 0 && s->t->due_at - at < DAY))
        return at;
    return office_hours(s->g, at, 8 * HOUR + 30 * MINUTE, 18 * HOUR);
}

/* The reply text of the plan. */
static char *
reply_text(const struct plan *p)
{
    return fill(p->tpl != NULL ? p->tpl->response : generic_response, p->location);
}

/* Extension request and decision, before the deadline. */
static void
sim_extension(struct sim *s, const char *lead)
{
    struct action_body b;
    struct rule_actor unit = unit_actor(lead);
    struct rule_actor agent = agent_actor(any_agent(s->g));
    hl_time at = unit_time(s, s->cur + (hl_time)rng_range(&s->g->rng, 1, 10) * HOUR);

    if (s->t->due_at == 0 || at >= s->t->due_at)
        return;
    body(&b, ACTION_REQUEST_EXTENSION);
    b.days = (int)rng_range(&s->g->rng, 3, 7);
    b.reason = xstrdup(extension_reasons[rng_below(&s->g->rng, ARRAY_SIZE(extension_reasons))]);
    if (!try_act(s, &b, &unit, at))
        return;
    body(&b, ACTION_DECIDE_EXTENSION);
    b.approve = rng_chance(&s->g->rng, 80);
    b.note = xstrdup(b.approve ? "同意延期，请按期办结。" : "理由不充分，请按原时限办结。");
    try_act(s, &b, &agent, s->cur + (hl_time)rng_range(&s->g->rng, 1, 4) * HOUR);
}

/* An urge after half the period (retimed by the rules when early). */
static void
sim_urge(struct sim *s)
{
    struct action_body b;
    struct rule_actor who = agent_actor(any_agent(s->g));
    hl_time from = rules_urge_from(s->g->c->rules, s->t);
    hl_time at = office_hours(s->g, (from > s->cur ? from : s->cur)
                              + (hl_time)rng_range(&s->g->rng, 10, 480) * MINUTE,
                              8 * HOUR, 22 * HOUR);

    body(&b, ACTION_URGE);
    b.note = xstrdup(urge_notes[rng_below(&s->g->rng, ARRAY_SIZE(urge_notes))]);
    try_act(s, &b, &who, at);
}

/* A supervisor's supervision. */
static void
sim_supervise(struct sim *s, const char *note, hl_time at)
{
    struct action_body b;
    struct rule_actor who = supervisor_actor();

    body(&b, ACTION_SUPERVISE);
    b.note = xstrdup(note);
    try_act(s, &b, &who, at);
}

/* Archive by the supervisor some days after closing. */
static void
sim_archive(struct sim *s)
{
    struct action_body b;
    struct rule_actor who = supervisor_actor();

    body(&b, ACTION_ARCHIVE);
    try_act(s, &b, &who, office_hours(s->g, s->cur + (hl_time)rng_range(&s->g->rng, 24 * 60,
                                                                          6 * 24 * 60) * MINUTE,
                                      9 * HOUR, 18 * HOUR));
}

/* The reply instant: a share of the time left, or late past the deadline. */
static hl_time
reply_time(struct sim *s, hl_time due)
{
    struct rng *r = &s->g->rng;
    hl_time at;

    if (s->p->urgency == URGENCY_EMERGENCY || s->p->quick)
        return s->cur + (hl_time)rng_range(r, 40, 360) * MINUTE;
    if (s->p->late_reply && due > s->cur)
        return due + (hl_time)rng_range(r, 60, 30 * 60) * MINUTE;
    if (due <= s->cur + HOUR)
        return s->cur + (hl_time)rng_range(r, 5, 40) * MINUTE;
    at = s->cur + (due - s->cur) * rng_range(r, 15, 85) / 100;
    at = unit_time(s, at);
    return at < due ? at : s->cur + (due - s->cur) / 2;
}

/* The callback round after the lead's reply, by scenario. */
static void
sim_callbacks(struct sim *s)
{
    struct rng *r = &s->g->rng;
    enum scenario sc = s->p->sc;

    if (sc == SC_CALLBACK) {
        if (rng_chance(r, 50)) {
            struct action_body b;
            struct rule_actor who = agent_actor(any_agent(s->g));
            hl_time agreed = office_hours(s->g, s->cur + (hl_time)rng_range(r, 20, 40) * HOUR,
                                          10 * HOUR, 19 * HOUR);

            body(&b, ACTION_SCHEDULE_CALLBACK);
            b.at = agreed;
            try_act(s, &b, &who, s->cur + (hl_time)rng_range(r, 1, 5) * HOUR);
        } else {
            sim_callback(s, CB_NO_ANSWER, SAT_NONE, s->cur + (hl_time)rng_range(r, 1, 8) * HOUR);
        }
        return;
    }
    if (sc == SC_UNREACHABLE) {
        for (int i = 0; i < 3; i++) {
            if (!sim_callback(s, i == 1 ? CB_BUSY : CB_NO_ANSWER, SAT_NONE,
                              s->cur + (hl_time)rng_range(r, 2 * 60, 6 * 60) * MINUTE))
                return;
        }
        sim_close(s, "三次回访均未接通，按无法联系办结。", s->cur + (hl_time)rng_range(r, 5, 60) * MINUTE);
        return;
    }
    if (rng_chance(r, 20)
        && !sim_callback(s, CB_NO_ANSWER, SAT_NONE, s->cur + (hl_time)rng_range(r, 1, 6) * HOUR))
        return;
    if (sc == SC_REDO_OPEN || sc == SC_REDO_CLOSED) {
        const char *lead;
        char *text;
        bool ok;

        if (!sim_callback(s, CB_REACHED, SAT_DISSATISFIED,
                          s->cur + (hl_time)rng_range(r, 2, 20) * HOUR))
            return;
        if (rng_chance(r, 50))
            sim_supervise(s, "回访不满意，督办重办。", s->cur + (hl_time)rng_range(r, 1, 4) * HOUR);
        if (sc == SC_REDO_OPEN)
            return;
        lead = ticket_lead(s->t) != NULL ? ticket_lead(s->t)->unit : s->p->unit;
        text = xasprintf("重新办理：%s", s->p->tpl != NULL ? "已再次上门核实并彻底解决。"
                                                          : "已再次核实处理。");
        ok = sim_unit(s, ACTION_REPLY, lead, text, reply_time(s, s->t->due_at));
        free(text);
        if (!ok)
            return;
        sim_callback(s, CB_REACHED, rng_chance(r, 60) ? SAT_SATISFIED : SAT_BASIC,
                     s->cur + (hl_time)rng_range(r, 2, 20) * HOUR);
        return;
    }
    if (rng_chance(r, 4))
        sim_callback(s, CB_REFUSED, SAT_NONE, s->cur + (hl_time)rng_range(r, 2, 20) * HOUR);
    else
        sim_callback(s, CB_REACHED, rng_chance(r, 78) ? SAT_SATISFIED : SAT_BASIC,
                     s->cur + (hl_time)rng_range(r, 2, 20) * HOUR);
    if (sc == SC_ARCHIVED && s->t->status == STATUS_CLOSED)
        sim_archive(s);
}

/* The agent completes the description a few minutes after intake (an "edited" event). */
static void
sim_edit(struct sim *s)
{
    cJSON *patch = cJSON_CreateObject();
    char *desc = xasprintf("%s（市民随后来电补充：情况已持续多日，希望尽快处理。）",
                           s->t->description != NULL ? s->t->description : "");
    struct rule_actor who = agent_actor(s->agent);
    hl_time at = s->cur + (hl_time)rng_range(&s->g->rng, 2, 15) * MINUTE;
    struct err e;

    cJSON_AddStringToObject(patch, "description", desc);
    if (at <= s->g->limit && workflow_patch(s->g->c, s->t, patch, &who, at, &e) == HL_OK)
        s->cur = at;
    cJSON_Delete(patch);
    free(desc);
}

/* Play the plan's life on the ticket. */
static void
simulate(struct gen *g, const struct plan *p, struct ticket *t)
{
    struct sim s = { g, t, p, t->created_at, staff[p->agent].id };
    struct rng *r = &g->rng;
    const char *lead = p->unit;
    const char *assist = p->assist ? street_of(p->location, lead) : NULL;
    hl_time delay;
    char *text;
    bool ok;

    if (p->sc != SC_DIRECT && p->sc != SC_NEAR_DUE && rng_chance(r, 6))
        sim_edit(&s);
    if (p->sc == SC_ACCEPTED)
        return;
    if (p->sc == SC_DIRECT) {
        struct action_body b;
        struct rule_actor who = agent_actor(s.agent);
        bool live = t->channel == CHANNEL_PHONE || t->channel == CHANNEL_WALK_IN;

        body(&b, ACTION_RESOLVE_DIRECT);
        b.answer = fill(p->tpl != NULL && p->tpl->nature == NATURE_CONSULT ? p->tpl->response
                        : generic_answer, p->location);
        if (p->tpl != NULL && p->tpl->kb != NULL)
            strlist_add(&b.kb_refs, p->tpl->kb);
        try_act(&s, &b, &who, s.cur + (live ? (hl_time)rng_range(r, 2, 8) * MINUTE
                                            : (hl_time)rng_range(r, 10, 300) * MINUTE));
        return;
    }
    if (p->sc == SC_WITHDRAWN && p->early_withdraw) {
        sim_close(&s, "市民来电表示问题已自行解决，申请撤销。",
                  s.cur + (hl_time)rng_range(r, 10, 90) * MINUTE);
        return;
    }
    if (p->urgency == URGENCY_EMERGENCY || p->sc == SC_NEAR_DUE)
        delay = (hl_time)rng_range(r, 2, 8) * MINUTE;
    else if (p->late_dispatch)
        delay = (hl_time)rng_range(r, 130, 540) * MINUTE;
    else
        delay = (hl_time)rng_range(r, 5, 75) * MINUTE;
    if (!sim_dispatch(&s, lead, assist, s.cur + delay))
        return;
    if (p->supervise && p->urgency == URGENCY_EMERGENCY)
        sim_supervise(&s, "紧急事项，请承办单位立即处置并报告进展。",
                      s.cur + (hl_time)rng_range(r, 5, 30) * MINUTE);
    if (p->sc == SC_DISPATCHED)
        return;
    if (p->sc == SC_RETURNED || p->ret) {
        const char *reason = return_reasons[rng_below(r, ARRAY_SIZE(return_reasons))];

        if (sim_unit(&s, ACTION_RETURN, lead, reason,
                     unit_time(&s, s.cur + (hl_time)rng_range(r, 30, 300) * MINUTE))) {
            if (p->sc == SC_RETURNED)
                return;
            /* re-dispatched to the district's street office (属地), or elsewhere */
            lead = rng_chance(r, 60) ? street_of(p->location, lead) : other_unit(g, lead);
            if (assist != NULL && strcmp(lead, assist) == 0)
                assist = NULL;
            if (!sim_dispatch(&s, lead, assist, s.cur + (hl_time)rng_range(r, 15, 120) * MINUTE))
                return;
        } else if (p->sc == SC_RETURNED) {
            return;
        }
    }
    if (!sim_unit(&s, ACTION_ACCEPT, lead, NULL,
                  p->sc == SC_NEAR_DUE ? s.cur + (hl_time)rng_range(r, 3, 10) * MINUTE
                  : unit_time(&s, s.cur + (hl_time)rng_range(r, 10, 180) * MINUTE)))
        return;
    if (assist != NULL)
        sim_unit(&s, ACTION_ACCEPT, assist, NULL,
                 unit_time(&s, s.cur + (hl_time)rng_range(r, 5, 120) * MINUTE));
    if (p->sc == SC_NEAR_DUE)
        return;
    if (p->ext)
        sim_extension(&s, lead);
    if (p->urge)
        sim_urge(&s);
    if (p->supervise && p->urgency != URGENCY_EMERGENCY)
        sim_supervise(&s, supervise_notes[rng_below(r, ARRAY_SIZE(supervise_notes))],
                      s.cur + (hl_time)rng_range(r, 1, 24) * HOUR);
    if (p->sc == SC_IN_PROGRESS)
        return;
    if (p->sc == SC_WITHDRAWN) {
        sim_close(&s, "市民来电表示问题已自行解决，申请撤销。",
                  s.cur + (hl_time)rng_range(r, 1, 24) * HOUR);
        return;
    }
    if (assist != NULL)
        sim_unit(&s, ACTION_REPLY, assist, "已配合牵头单位完成相关工作。",
                 unit_time(&s, s.cur + (hl_time)rng_range(r, 1, 20) * HOUR));
    text = reply_text(p);
    ok = sim_unit(&s, ACTION_REPLY, lead, text, reply_time(&s, t->due_at));
    free(text);
    if (!ok || p->sc == SC_REPLIED)
        return;
    if (!rules_callback_required(g->c->rules, t->nature)) {
        if (sim_close(&s, "已将承办单位答复告知市民。",
                      s.cur + (hl_time)rng_range(r, 1, 20) * HOUR) && p->sc == SC_ARCHIVED)
            sim_archive(&s);
        return;
    }
    sim_callbacks(&s);
}

/* Build the ticket of a plan. Returned ticket is owned by the caller. */
static struct ticket *
build_ticket(struct gen *g, const struct plan *p)
{
    struct ticket *t = ticket_new();
    const struct caller_def *cd = &g->callers[p->caller < g->n_callers ? p->caller : 0];
    struct rule_actor who = agent_actor(staff[p->agent].id);
    struct err e;

    t->channel = p->channel;
    t->nature = p->nature;
    t->category = xstrdup(p->category);
    t->title = fill(p->tpl != NULL ? p->tpl->title : generic_title, p->location);
    t->description = fill(p->tpl != NULL ? p->tpl->desc : generic_desc, p->location);
    t->location = xstrdup(p->location);
    t->urgency = p->urgency;
    t->complaint_level = p->nature == NATURE_COMPLAINT ? p->level : 0;
    t->requested_due = p->requested_hours > 0 ? p->created + p->requested_hours * HOUR : 0;
    if ((p->nature == NATURE_COMPLAINT || p->nature == NATURE_REPORT || p->nature == NATURE_HELP)
        && rng_chance(&g->rng, 50))
        t->occurred_at = p->created - (hl_time)rng_range(&g->rng, 1, 72) * HOUR;
    t->caller.name = xstrdup(cd->name);
    t->caller.salutation = cd->sal;
    t->caller.phone = xstrdup(cd->phone);
    t->caller.address = cd->address[0] != '\0' ? xstrdup(cd->address) : NULL;
    t->caller.confidential = p->confidential;
    t->created_at = p->created;
    if (workflow_create(g->c, t, &who, p->created, NULL, &e) == HL_OK)
        simulate(g, p, t);
    return t;
}

/* Order plans by acceptance time, then by plan index. */
static int
cmp_plan(const void *a, const void *b)
{
    const struct plan *x = a;
    const struct plan *y = b;

    if (x->created != y->created)
        return x->created < y->created ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* ------------------------------------------------------------------ flags */

/* Sort key of a ticket for grouping. */
struct key {
    size_t i;
    char k[512];
    hl_time at;
};

/* Order keys by text, time, index. */
static int
cmp_key(const void *a, const void *b)
{
    const struct key *x = a;
    const struct key *y = b;
    int c = strcmp(x->k, y->k);

    if (c != 0)
        return c;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

/* Canonical phone of a ticket's caller ("" when none). */
static void
canonical_phone(const struct ticket *t, char *buf, size_t sz)
{
    struct phone ph;

    buf[0] = '\0';
    if (t->caller.phone != NULL && phone_normalize(t->caller.phone, NULL, &ph) != PHONE_INVALID)
        str_copy(buf, sz, ph.number);
}

/* Set FLAG_REPEAT_CALLER and FLAG_CLUSTER on the tickets (see demo.h). */
static void
mark_groups(struct gen *g, struct ticket *ts, size_t n)
{
    struct key *keys = xcalloc(n > 0 ? n : 1, sizeof *keys);
    int min_callers = rules_cluster_min_callers(g->c->rules);
    hl_time window = (hl_time)rules_cluster_days(g->c->rules) * DAY;

    /* repeat callers: the same phone within REPEAT_DAYS */
    for (size_t i = 0; i < n; i++) {
        keys[i].i = i;
        keys[i].at = ts[i].created_at;
        canonical_phone(&ts[i], keys[i].k, sizeof keys[i].k);
    }
    qsort(keys, n, sizeof *keys, cmp_key);
    for (size_t i = 0; i < n; i++) {
        bool rep = false;

        if (keys[i].k[0] == '\0')
            continue;
        if (i > 0 && strcmp(keys[i - 1].k, keys[i].k) == 0
            && keys[i].at - keys[i - 1].at <= (hl_time)REPEAT_DAYS * DAY)
            rep = true;
        if (i + 1 < n && strcmp(keys[i + 1].k, keys[i].k) == 0
            && keys[i + 1].at - keys[i].at <= (hl_time)REPEAT_DAYS * DAY)
            rep = true;
        if (rep)
            ts[keys[i].i].flags |= FLAG_REPEAT_CALLER;
    }
    /* clusters: distinct phones per category + location within the window */
    for (size_t i = 0; i < n; i++) {
        keys[i].i = i;
        keys[i].at = ts[i].created_at;
        snprintf(keys[i].k, sizeof keys[i].k, "%s\x1f%s", ts[i].category != NULL
                 ? ts[i].category : "", ts[i].location != NULL ? ts[i].location : "");
    }
    qsort(keys, n, sizeof *keys, cmp_key);
    for (size_t a = 0; a < n;) {
        size_t b = a;

        while (b < n && strcmp(keys[b].k, keys[a].k) == 0)
            b++;
        for (size_t i = a; b - a >= (size_t)min_callers && i < b; i++) {
            char phones[64][24];
            size_t np = 0;

            for (size_t j = a; j < b && np < ARRAY_SIZE(phones); j++) {
                char ph[40];
                bool seen = false;

                if (keys[j].at - keys[i].at >= window || keys[i].at - keys[j].at >= window)
                    continue;
                canonical_phone(&ts[keys[j].i], ph, sizeof ph);
                if (ph[0] == '\0')
                    continue;
                for (size_t q = 0; q < np && !seen; q++)
                    seen = strcmp(phones[q], ph) == 0;
                if (!seen)
                    str_copy(phones[np++], sizeof phones[0], ph);
            }
            if (np >= (size_t)min_callers)
                ts[keys[i].i].flags |= FLAG_CLUSTER;
        }
        a = b;
    }
    free(keys);
}

/* ------------------------------------------------------------------ calls */

/* A random mobile number. */
static void
random_mobile(struct rng *r, char *buf, size_t sz)
{
    snprintf(buf, sz, "%s%08u", mobile_prefixes[rng_below(r, ARRAY_SIZE(mobile_prefixes))],
             (unsigned)rng_below(r, 100000000));
}

/* Seconds a caller waits before an agent answers. */
static hl_time
random_wait(struct rng *r)
{
    int x = (int)rng_below(r, 100);

    if (x < 60)
        return rng_range(r, 1, 10);
    if (x < 85)
        return rng_range(r, 11, 20);
    if (x < 95)
        return rng_range(r, 21, 45);
    return rng_range(r, 46, 120);
}

/* Append one call record. */
static void
add_call(struct demo_data *d, size_t *cap, const char *caller, const char *agent,
         hl_time offered, hl_time answered, hl_time ended)
{
    struct call_record *c;

    if (d->n_calls == *cap) {
        *cap = *cap > 0 ? *cap * 2 : 1024;
        d->calls = xrealloc(d->calls, *cap * sizeof *d->calls);
    }
    c = &d->calls[d->n_calls++];
    memset(c, 0, sizeof *c);
    c->caller = xstrdup(caller);
    c->queue = xstrdup("12345");
    c->agent = xstrdup(agent);
    c->offered_at = offered;
    c->answered_at = answered;
    c->ended_at = ended;
}

/* Order call records by offered_at (then the order they were made). */
static int
cmp_call(const void *a, const void *b)
{
    const struct call_record *x = a;
    const struct call_record *y = b;

    int c;

    if (x->offered_at != y->offered_at)
        return x->offered_at < y->offered_at ? -1 : 1;
    c = strcmp(x->caller, y->caller);
    if (c != 0)
        return c;
    if (x->answered_at != y->answered_at)
        return x->answered_at < y->answered_at ? -1 : 1;
    if (x->ended_at != y->ended_at)
        return x->ended_at < y->ended_at ? -1 : 1;
    return strcmp(x->agent != NULL ? x->agent : "", y->agent != NULL ? y->agent : "");
}

/* Calls over the 30 days, and the call behind every phone ticket. */
static void
make_calls(struct gen *g, struct demo_data *d)
{
    /* share of the day's calls per hour 0..23 (percent-ish weights) */
    static const int hour_w[24] = {
        1, 1, 0, 0, 0, 1, 1, 3, 8, 10, 10, 9, 6, 7, 9, 9, 8, 6, 5, 4, 3, 2, 1, 1,
    };
    struct rng *r = &g->rng;
    size_t cap = 0;
    size_t per_day = 100 + d->n_tickets / 5;
    int64_t today = local_day(g->c->tz, g->now, NULL);
    int wsum = 0;
    int64_t day_seq = -1;
    int seq = 0;

    for (int h = 0; h < 24; h++)
        wsum += hour_w[h];
    for (int64_t day = today - SPAN_DAYS; day <= today; day++) {
        int wd = datetime_weekday(day);
        size_t n = wd >= 6 ? per_day * 7 / 10 : per_day;

        for (size_t k = 0; k < n; k++) {
            int x = (int)rng_below(r, (size_t)wsum);
            int h = 0;
            hl_time offered;
            char caller[24];

            while (x >= hour_w[h]) {
                x -= hour_w[h];
                h++;
            }
            offered = local_at(g->c->tz, day, h * HOUR + (int)rng_below(r, HOUR));
            if (offered >= g->limit - 15 * MINUTE || offered < g->now - (hl_time)SPAN_DAYS * DAY)
                continue;
            if (g->n_callers > 0 && rng_chance(r, 25))
                str_copy(caller, sizeof caller, g->callers[rng_below(r, g->n_callers)].phone);
            else
                random_mobile(r, caller, sizeof caller);
            if (rng_chance(r, 94)) {
                hl_time ans = offered + random_wait(r);

                add_call(d, &cap, caller, staff[rng_below(r, N_AGENTS)].id, offered, ans,
                         ans + rng_range(r, 40, 600));
            } else {
                add_call(d, &cap, caller, NULL, offered, 0, offered + rng_range(r, 10, 90));
            }
        }
    }
    for (size_t i = 0; i < d->n_tickets; i++) {
        const struct ticket *t = &d->tickets[i];
        hl_time offered = t->created_at - rng_range(r, 60, 200);
        hl_time ans = offered + random_wait(r);
        hl_time end = t->created_at + rng_range(r, 60, 480);

        if (t->channel != CHANNEL_PHONE || t->caller.phone == NULL)
            continue;
        if (ans > t->created_at)
            ans = t->created_at;
        if (end > g->limit)
            end = g->limit > ans ? g->limit : ans;
        add_call(d, &cap, t->caller.phone, t->created_by, offered, ans, end);
    }
    qsort(d->calls, d->n_calls, sizeof *d->calls, cmp_call);
    for (size_t i = 0; i < d->n_calls; i++) {
        int64_t day = local_day(g->c->tz, d->calls[i].offered_at, NULL);
        char date[16];
        char compact[12];
        size_t k = 0;

        if (day != day_seq) {
            day_seq = day;
            seq = 0;
        }
        seq++;
        datetime_format_date(day, date, sizeof date);
        for (size_t j = 0; date[j] != '\0' && k + 1 < sizeof compact; j++) {
            if (date[j] != '-')
                compact[k++] = date[j];
        }
        compact[k] = '\0';
        d->calls[i].call_id = xasprintf("C%s-%05d", compact, seq);
    }
}

/* ------------------------------------------------------------------ entry points */

/* Give every ticket its id (HL + local date + daily sequence) and version. */
static void
number_tickets(struct gen *g, struct demo_data *d)
{
    int64_t day_seq = -1;
    int seq = 0;

    for (size_t i = 0; i < d->n_tickets; i++) {
        struct ticket *t = &d->tickets[i];
        int64_t day = local_day(g->c->tz, t->created_at, NULL);
        int y;
        int m;
        int dd;

        if (day != day_seq) {
            day_seq = day;
            seq = 0;
        }
        seq++;
        datetime_civil_from_days(day, &y, &m, &dd);
        free(t->id);
        t->id = xasprintf("HL%04d%02d%02d-%06d", y, m, dd, seq);
        t->version = (int64_t)t->n_events;
    }
}

/* Units and users. */
static void
make_people(struct demo_data *d)
{
    size_t k = 0;

    d->n_units = ARRAY_SIZE(units);
    d->units = xcalloc(d->n_units, sizeof *d->units);
    for (size_t i = 0; i < d->n_units; i++) {
        d->units[i].code = xstrdup(units[i].code);
        d->units[i].name = xstrdup(units[i].name);
    }
    d->n_users = ARRAY_SIZE(staff) + ARRAY_SIZE(units);
    d->users = xcalloc(d->n_users, sizeof *d->users);
    for (size_t i = 0; i < ARRAY_SIZE(staff); i++, k++) {
        d->users[k].user.id = xstrdup(staff[i].id);
        d->users[k].user.name = xstrdup(staff[i].name);
        d->users[k].user.role = staff[i].role;
        d->users[k].password = xstrdup(DEMO_PASSWORD);
    }
    for (size_t i = 0; i < ARRAY_SIZE(units); i++, k++) {
        d->users[k].user.id = xstrdup(units[i].user_id);
        d->users[k].user.name = xasprintf("%s（%s）", units[i].contact, units[i].name);
        d->users[k].user.role = USER_UNIT;
        d->users[k].user.unit = xstrdup(units[i].code);
        d->users[k].password = xstrdup(DEMO_PASSWORD);
    }
}

/* Generate the demo data set. */
struct demo_data *
demo_generate(const struct wf_ctx *c, hl_time now, uint32_t seed, int n_tickets,
              const char *const *categories, size_t n_categories)
{
    struct gen g;
    struct demo_data *d;
    size_t n;

    if (c == NULL || c->rules == NULL || c->tz == NULL)
        return NULL;
    n = n_tickets <= 0 ? DEMO_DEFAULT_TICKETS
        : n_tickets > DEMO_MAX_TICKETS ? DEMO_MAX_TICKETS : (size_t)n_tickets;
    memset(&g, 0, sizeof g);
    g.c = c;
    g.rng.s = 0x5DEECE66Dull ^ ((uint64_t)seed * 0x9E3779B97F4A7C15ull);
    g.now = now;
    g.limit = now - MINUTE;
    if (categories != NULL && n_categories > 0) {
        g.cats = categories;
        g.n_cats = n_categories;
    }
    for (size_t i = 0; i < ARRAY_SIZE(tpls); i++) {
        if (g.n_cats == 0 || category_known(&g, tpls[i].category))
            g.usable[g.n_usable++] = &tpls[i];
    }
    if (g.n_cats == 0) {
        /* no category list: the templates' own codes */
        for (size_t i = 0; i < ARRAY_SIZE(tpls); i++)
            g.tpl_cats[i] = tpls[i].category;
        g.cats = g.tpl_cats;
        g.n_cats = ARRAY_SIZE(tpls);
    }
    for (size_t i = 0; i < ARRAY_SIZE(locations); i++) {
        for (size_t k = 0; k < N_SIDES; k++)
            snprintf(g.places[i][k], sizeof g.places[i][k], "%s%s", locations[i], sides[k]);
    }
    g.spread = 1 + n / 500;
    make_callers(&g, n);
    make_plans(&g, n);
    qsort(g.plans, g.n_plans, sizeof *g.plans, cmp_plan);

    d = xcalloc(1, sizeof *d);
    make_people(d);
    d->tickets = xcalloc(g.n_plans > 0 ? g.n_plans : 1, sizeof *d->tickets);
    for (size_t i = 0; i < g.n_plans; i++) {
        struct ticket *t = build_ticket(&g, &g.plans[i]);

        d->tickets[i] = *t;
        free(t);
    }
    d->n_tickets = g.n_plans;
    mark_groups(&g, d->tickets, d->n_tickets);
    for (size_t i = 0; i < d->n_tickets; i++)
        d->tickets[i].flags = workflow_flags(c, &d->tickets[i], now);
    number_tickets(&g, d);
    make_calls(&g, d);
    free(g.plans);
    free(g.callers);
    for (size_t i = 0; i < g.n_pool; i++)
        free(g.pool[i]);
    free(g.pool);
    return d;
}

/* Free demo data. */
void
demo_free(struct demo_data **dp)
{
    struct demo_data *d;

    if (dp == NULL || *dp == NULL)
        return;
    d = *dp;
    for (size_t i = 0; i < d->n_units; i++) {
        free(d->units[i].code);
        free(d->units[i].name);
    }
    free(d->units);
    for (size_t i = 0; i < d->n_users; i++) {
        user_fini(&d->users[i].user);
        free(d->users[i].password);
    }
    free(d->users);
    for (size_t i = 0; i < d->n_tickets; i++)
        ticket_fini(&d->tickets[i]);
    free(d->tickets);
    for (size_t i = 0; i < d->n_calls; i++)
        call_record_fini(&d->calls[i]);
    free(d->calls);
    free(d);
    *dp = NULL;
}
