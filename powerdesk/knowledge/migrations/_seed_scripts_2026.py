"""The first scripts (话术), written for PowerDesk: what an agent or a handler says at each step of a call,
per business type, topic and sub-type (blank: any). Loaded by 0004; kept beside the migration so that
later edits of the scripts do not change what 0004 wrote. Placeholders are those of
``knowledge.rules.PLACEHOLDERS``."""

# fmt: off
# (kind, business type, topic, sub-type, title, body, position)
SCRIPTS = [
    # --- openings and closings for every call
    ("opening", "", None, None, "通用开场",
     "您好，这里是 95598 供电服务热线，我是坐席{agent_name}，很高兴为您服务。请问有什么可以帮您？", 10),
    ("opening", "", None, None, "识别客户后的确认",
     "{customer_name}您好，系统显示您的用电户号已找到，为了核对信息，请您说一下用电地址的小区或村名好吗？", 20),
    ("opening", "repair", "fault_repair", None, "报修开场",
     "{customer_name}您好，我是坐席{agent_name}。您反映家里没电了，请别着急，我先问您几个问题，帮您尽快安排抢修。", 10),
    ("closing", "", None, None, "通用结束语",
     "请问还有其他需要帮您的吗？……感谢您的来电，祝您生活愉快，再见。", 10),
    ("closing", "repair", "fault_repair", None, "报修结束语",
     "您的报修已登记，工单编号是{order_number}。抢修人员会在{arrival_due}前到达现场，到达前会先和您联系。"
     "如有急事，也可以直接联系您所在台区的台区经理{area_manager}，电话{area_manager_phone}。请保持电话畅通，再见。", 20),
    ("closing", "complaint", None, None, "投诉受理结束语",
     "您反映的问题已经记录，工单编号{order_number}。我们会安排专人核实，并在规定时限内给您回复，请您保持电话畅通。感谢您的监督。", 30),

    # --- fault repair: what to ask
    ("questions", "repair", "fault_repair", None, "停电报修询问要点",
     "1. 请问是只有您家没电，还是左邻右舍、整栋楼都没电？\n"
     "2. 家里的总开关（漏电保护器）有没有跳闸？跳了的话试着合一次，合不上请不要反复合。\n"
     "3. 表箱里的开关和电能表显示是否正常？\n"
     "4. 现场有没有冒烟、焦糊味、电线掉在地上的情况？如有请远离，不要触碰。\n"
     "5. 请留一个抢修人员到达后能联系到您的电话。", 10),
    ("questions", "repair", "fault_repair", "repair_safety", "安全隐患询问要点",
     "请您先远离冒烟、打火或掉落的电线，至少保持十米距离，也请提醒路过的人不要靠近。"
     "请告诉我隐患的准确位置，附近有什么明显标志，现在有没有人受伤？我们马上安排人员赶往现场。", 5),
    ("questions", "repair", "fault_repair", "repair_customer_side", "客户内部故障询问要点",
     "请问表箱里的电能表是否有显示、表后开关是否合着？如果表和表后开关都正常，而家里的空开跳了，"
     "故障可能在您家内部线路或电器上。我们可以派人帮您判断，属于您家产权的部分需要您自己找电工维修，这一点先跟您说明。", 20),
    ("notice", "repair", "fault_repair", "repair_customer_side", "产权分界点告知",
     "跟您说明一下维修责任：供电公司负责到电能表出线端为止的设施，表后到您家里的线路和设备属于您家的产权，"
     "由您自行维修或请有资质的电工处理。抢修人员到现场会帮您确认故障点在哪一侧，并告诉您怎么处理。", 30),
    ("questions", "repair", "fault_repair", "repair_meter", "计量装置故障询问要点",
     "请问电能表屏幕是否有显示？有没有报警灯常亮、表壳发烫或烧焦的痕迹？表箱门锁和封印是否完好？"
     "请不要自行拆开表箱，我们会安排计量人员到场处理。", 20),
    ("questions", "repair", "power_quality", "repair_power_quality", "电压异常询问要点",
     "请问灯光是一直偏暗，还是忽明忽暗？是在傍晚用电高峰时更明显吗？附近邻居是不是也一样？"
     "有没有电器因此损坏？我们会安排人员到现场测量电压。", 20),

    # --- outage answers
    ("outage", "", None, None, "停电答复（已知停电）",
     "{customer_name}您好，经查询，您所在区域目前正在停电，我们已经安排抢修，预计恢复供电时间是{outage_etr}。"
     "给您带来不便，非常抱歉。恢复时间如有变化，我们会及时通知；您也可以联系台区经理{area_manager}了解现场进度。", 10),
    ("outage", "consultation", "outage_info", "consult_outage", "计划停电咨询答复",
     "您好，您所在线路有计划检修停电，预计恢复供电时间是{outage_etr}。停电信息已经提前公告，"
     "这段时间请您关好家里的电器开关，来电后再逐一打开。感谢您的理解和支持。", 20),
    ("outage", "repair", "fault_repair", None, "故障停电正在抢修的答复",
     "您反映的停电我们已经知道，抢修队伍正在现场处理，预计{outage_etr}恢复供电。抢修完成前请不要靠近故障设备，"
     "如果到时间还没有来电，请再联系我们，我们会为您跟进。", 30),

    # --- apologies
    ("apology", "complaint", None, None, "投诉致歉",
     "{customer_name}，您遇到的情况确实给您添了麻烦，我代表供电公司向您道歉。您的意见我已经完整记下，"
     "会转给负责的部门核实处理，并由专人在时限内给您答复。", 10),
    ("apology", "complaint", "fault_repair", "complaint_repair", "抢修超时致歉",
     "非常抱歉，抢修人员没有按承诺的时间到达，让您久等了。我马上为您催办，并请现场人员尽快与您联系。"
     "您的工单编号是{order_number}，后续处理我们会跟踪到底。", 20),
    ("apology", "complaint", "communication", "complaint_attitude", "服务态度投诉致歉",
     "对于工作人员的态度让您不满意，我们深表歉意。这不是我们应有的服务。请您详细说一下当时的时间、地点和经过，"
     "我们会调查核实，并把处理结果告诉您。", 30),
    ("apology", "complaint", "outage_info", "complaint_outage_notice", "停电未提前通知致歉",
     "停电前没有让您及时收到通知，是我们工作没做到位，向您道歉。我们会核查这次停电的公告和短信发送情况，"
     "并把您的联系方式核实更新，避免以后再发生类似情况。", 40),

    # --- billing and metering
    ("questions", "consultation", "billing", "consult_tariff", "电费疑问询问要点",
     "为帮您查清电费，请确认：1. 您说的是哪个月的账单？2. 与平常相比大概多了多少？3. 最近家里有没有新增空调、"
     "电暖器等大功率电器？4. 是否执行了峰谷电价或阶梯电价？我这边会同时调出您近几个月的用电量给您对比。", 10),
    ("notice", "consultation", "billing", None, "交费渠道告知",
     "您可以通过“网上国网”App、微信或支付宝生活缴费、银行代扣，或到就近的供电营业厅交费。"
     "交费后电费一般实时到账，如已欠费停电，交清后系统会自动发起复电，通常在一小时内恢复。", 20),
    ("notice", "complaint", "billing", "complaint_collection", "欠费停电流程说明",
     "按规定，欠费停电前应提前通知客户。我们会核查这次是否按规定送达了停电通知。您交清电费后，复电会自动发起，"
     "如果超过规定时间还没有来电，请再告诉我们，我们会加急处理。", 30),
    ("notice", "application", "metering", "app_meter_test", "电能表校验一次性告知",
     "申请电能表校验需要：1. 户主身份证明；2. 户号或最近一期电费单；3. 如由他人代办，需要委托书和代办人身份证。"
     "校验结果会书面告知您；如果电能表误差超出规定范围，会按规定退补电费。", 10),
    ("questions", "service_request", "metering", "sr_meter", "电能表异常询问要点",
     "请问您是发现电能表走得快、不走，还是屏幕显示异常？家里电器全部关掉后，表上的指示灯还在闪吗？"
     "请您拍下电能表当前读数和表号，方便我们核对。", 20),

    # --- applications: one-time notices (一次性告知)
    ("notice", "application", "business_env", "app_new_lv", "低压新装一次性告知",
     "低压居民新装需要准备：1. 用电人有效身份证明；2. 房屋产权证明或其他合法的用电地址证明；"
     "3. 如委托办理，提供委托书和受托人身份证。资料齐全的，可以在“网上国网”App 一次提交，"
     "我们会按承诺时限完成装表接电，办理过程中不会再让您补交清单以外的材料。", 10),
    ("notice", "application", "business_env", "app_new_hv", "高压新装增容一次性告知",
     "高压新装或增容需要：1. 营业执照或法人证明；2. 经办人身份证明及授权委托书；3. 用电地址权属证明；"
     "4. 用电设备清单和负荷情况。受理后会有客户经理全程对接，供电方案答复、设计审查、竣工检验各环节都有时限承诺。", 20),
    ("notice", "application", "ev_charging", "app_ev_charger", "充电桩报装一次性告知",
     "个人充电桩报装请准备：1. 身份证明；2. 固定车位产权证明或一年以上的租赁证明；3. 物业出具的同意安装证明"
     "（无物业的可由业委会或居委会出具）。资料一次备齐即可，我们会上门勘查并告知施工要求。", 30),
    ("notice", "application", "gov_policy", "app_pv", "光伏并网一次性告知",
     "分布式光伏并网需要：1. 身份证明；2. 房屋产权证明；3. 光伏组件和逆变器的参数资料；"
     "4. 多户共用屋顶的需其他业主同意书。受理后我们会安排现场勘查，并一次告知接入方案和计量方式。", 40),
    ("notice", "application", "business_env", "app_transfer", "过户一次性告知",
     "办理过户请带齐：1. 新户主身份证明；2. 新的房屋产权证明；3. 原户主结清电费的凭证。"
     "过户后电费账单和交费记录都归新户主，原来的预存电费可以按规定办理转移或退还。", 50),

    # --- what never to say
    ("forbidden", "", None, None, "服务禁语（通用）",
     "不说：“不知道”“不归我们管”“你自己去找”“我刚才已经说过了”“你听不懂吗”“下班了明天再说”“这是规定，没办法”。\n"
     "应说：“我帮您查一下”“这件事由……负责，我帮您转过去并跟进”“我再跟您解释一遍”。", 10),
    ("forbidden", "repair", "fault_repair", None, "抢修服务禁语",
     "不说：“今天太晚了，明天再来”“表后面的事跟我们没关系”“等着吧，排队呢”“谁让你乱接线”。\n"
     "应说：先确认安全，再说明故障点和产权分界，当场讲清下一步怎么办、谁来办、什么时候办完。", 20),
    ("forbidden", "complaint", None, None, "投诉处理禁语",
     "不说：“你投诉也没用”“那个人就是这样”“你到底想怎么样”“有本事你去告”。\n"
     "应说：“您的意见很重要，我们一定核实”“处理结果会在时限内告诉您”。不对客户作处理结果以外的承诺。", 30),
]
