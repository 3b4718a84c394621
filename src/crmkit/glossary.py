"""The workbook's glossary: every customer-management term in English and Chinese.

Notebooks write a term in English with the Chinese beside it the first time it
appears, e.g. "stability stage (稳定期)", and end with a glossary table. Both
come from here, so every notebook uses the same words, the same simplified
(mainland) and traditional (Taiwan, Hong Kong) characters, and the same
one-sentence definition. Each term names the concept IDs of DOMAIN.md it
belongs to (e.g. CL2 for the 80/20 rule), so a notebook can list the terms of
the concepts it teaches.

The traditional forms convert the characters (户 -> 戶, 价 -> 價, ...) and write
周期 as 週期, as in Taiwan; they keep the mainland wording otherwise (信息, 数据库
-> 數據庫), so that a reader of either script finds the same term. 准 stays 准 in
九准九不准 ("may" and "may not"), where it means permission, not 準 (accurate).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from crmkit.errors import CrmkitError

__all__ = [
    "CONCEPT_COUNTS",
    "TERMS",
    "Term",
    "concept_ids",
    "first_use",
    "for_concept",
    "glossary_table",
    "term",
]

Script = Literal["simplified", "traditional", "both"]

#: How many concepts each section of DOMAIN.md has (CL1..CL9, PY1..PY7, ...).
CONCEPT_COUNTS: dict[str, int] = {
    "CL": 9,
    "PY": 7,
    "VA": 6,
    "LC": 6,
    "CO": 9,
    "SA": 8,
    "KA": 5,
    "MA": 5,
}


@dataclass(frozen=True)
class Term:
    """One glossary entry: the English term, its Chinese forms, a definition, its concepts."""

    key: str
    english: str
    simplified: str
    traditional: str
    definition: str
    concepts: tuple[str, ...]

    def first_use(self, script: Script = "simplified") -> str:
        """The English term with the Chinese beside it, as written at its first mention."""
        if script == "simplified":
            chinese = self.simplified
        elif script == "traditional":
            chinese = self.traditional
        elif script == "both":
            chinese = (
                self.simplified
                if self.simplified == self.traditional
                else f"{self.simplified} / {self.traditional}"
            )
        else:
            raise CrmkitError(
                f"script must be 'simplified', 'traditional' or 'both', not {script!r}"
            )
        return f"{self.english} ({chinese})"


def _t(
    key: str, english: str, simplified: str, traditional: str, concepts: str, definition: str
) -> Term:
    return Term(key, english, simplified, traditional, definition, tuple(concepts.split()))


# fmt: off
TERMS: tuple[Term, ...] = (
    # --- the subject and the section titles of DOMAIN.md ---------------------------------
    _t("customer_management", "customer management", "客户管理", "客戶管理", "CL1 MA1",
       "Knowing which customers matter, serving each as their value deserves, and managing "
       "every relationship from first contact to its end."),
    _t("complaints_and_churn", "complaints and churn", "投诉与流失", "投訴與流失",
       "CO1 CO5",
       "The study of why customers complain or leave, and of what a business does about it."),
    _t("satisfaction_and_service_quality", "satisfaction and service quality",
       "满意与服务质量", "滿意與服務質量", "SA1 SA3",
       "How pleased customers are with what they receive, and how good the service they "
       "receive is."),
    _t("maintenance_and_callbacks", "customer maintenance and call-backs",
       "客户维护与回访", "客戶維護與回訪", "MA1 MA3",
       "Keeping existing relationships healthy through records, regular contact and "
       "follow-up calls."),

    # --- CL: customer classification -----------------------------------------------------
    _t("customer_classification", "customer classification", "客户分类", "客戶分類",
       "CL1 CL8",
       "Sorting customers into groups that differ in value or needs so that each group can "
       "be served differently."),
    _t("rule_80_20", "80/20 rule", "二八法则", "二八法則", "CL2",
       "The observation that about 20% of customers bring about 80% of the profit."),
    _t("abc_analysis", "ABC analysis", "ABC分类法", "ABC分類法", "CL3",
       "Ranking customers by volume and cutting them into a few A customers that carry "
       "most of it, then B and C customers."),
    _t("whale_curve", "whale curve", "鲸鱼曲线", "鯨魚曲線", "CL2 CL4",
       "A chart of cumulative profit against customers ranked from most to least "
       "profitable, which rises above 100% and falls back because some customers lose money."),
    _t("cost_to_serve", "cost to serve", "服务成本", "服務成本", "CL4 PY5",
       "What it costs a business to sell to, deliver to and look after one customer."),
    _t("value_destroyer", "value-destroying customer", "亏损客户", "虧損客戶", "CL4 PY3",
       "A customer whose cost to serve is higher than the gross profit they bring."),
    _t("value_indicator_evaluation", "value-indicator evaluation", "价值指标评价",
       "價值指標評價", "CL5",
       "Scoring each customer periodically on several value indicators and combining the "
       "scores with chosen weights into one value score."),
    _t("integrity", "integrity", "诚信度", "誠信度", "CL5",
       "How reliably a customer keeps agreements and pays on time (their credit)."),
    _t("cooperation", "cooperation", "配合度", "配合度", "CL5",
       "How willingly a customer follows the supplier's policies and joins its programmes."),
    _t("dependence", "dependence", "依存度", "依存度", "CL5",
       "How much of the customer's business in this line relies on our products."),
    _t("growth", "growth", "成长度", "成長度", "CL5",
       "How fast a customer's business with us is growing."),
    _t("contribution", "contribution", "贡献度", "貢獻度", "CL5",
       "How much sales and profit a customer brings to the business."),
    _t("value_score", "value score", "价值得分", "價值得分", "CL5 CL7",
       "The weighted sum of a customer's indicator scores, used to rank and group customers."),
    _t("business_format", "business format", "业态类型", "業態類型", "CL6",
       "The kind of outlet a retail customer runs, such as a supermarket, convenience store "
       "or kiosk."),
    _t("market_type", "market type", "市场类型", "市場類型", "CL6",
       "The kind of market a customer sells in, such as city, town or rural."),
    _t("dynamic_management", "dynamic management", "动态管理", "動態管理", "CL7 MA4",
       "Re-evaluating and re-grouping customers every period instead of fixing their class "
       "once."),
    _t("internal_customer", "internal customer", "内部客户", "內部客戶", "CL8",
       "A colleague or department inside the firm who receives your work."),
    _t("external_customer", "external customer", "外部客户", "外部客戶", "CL8",
       "A person or business outside the firm who buys or uses its products."),
    _t("potential_customer", "potential customer", "潜在客户", "潛在客戶", "CL8 CL9",
       "Someone who does not buy from us yet but could, because they have a need we meet."),
    _t("actual_customer", "actual customer", "现实客户", "現實客戶", "CL8",
       "A customer who already buys from us."),
    _t("intermediate_customer", "intermediate customer", "中间客户", "中間客戶", "CL8",
       "A customer such as a distributor or retailer who buys to resell."),
    _t("final_customer", "final customer", "最终客户", "最終客戶", "CL8",
       "The person or business who finally uses the product."),
    _t("lead_grading", "lead grading", "客户分级", "客戶分級", "CL9",
       "Grading prospects A, B, C or D by how likely and how soon they are to buy, to decide "
       "whom to follow up first."),
    _t("lead", "sales lead", "销售线索", "銷售線索", "CL9",
       "A person or company that might become a customer and has not yet been qualified."),
    _t("buying_power", "buying power", "购买力", "購買力", "CL9",
       "Whether a prospect has the money to buy."),
    _t("decision_authority", "decision authority", "决策权", "決策權", "CL9",
       "Whether the person we talk to may decide the purchase."),
    _t("follow_up", "follow-up", "跟进", "跟進", "CL9 MA5",
       "Contacting a lead or customer again, on a plan, until a decision is reached."),

    # --- PY: the customer pyramid -------------------------------------------------------
    _t("customer_pyramid", "customer pyramid", "客户金字塔", "客戶金字塔", "PY1 PY2",
       "Customers drawn as tiers, with the few most valuable at the top and the many least "
       "valuable at the bottom."),
    _t("vip_customer", "VIP customer", "VIP客户", "VIP客戶", "PY2",
       "A customer in the top tier by revenue or profit, usually the top 1%."),
    _t("major_customer", "major customer", "主要客户", "主要客戶", "PY2",
       "A customer in the second tier, below the VIP customers."),
    _t("ordinary_customer", "ordinary customer", "普通客户", "普通客戶", "PY2",
       "A customer in the third tier, who brings some revenue but little profit each."),
    _t("small_customer", "small customer", "小客户", "小客戶", "PY2 VA5",
       "A customer in the bottom tier, who buys little."),
    _t("platinum_tier", "platinum tier", "铂金层", "鉑金層", "PY2",
       "The top tier of customers by lifetime value: heavy users who are not very price "
       "sensitive."),
    _t("gold_tier", "gold tier", "黄金层", "黃金層", "PY2",
       "The second tier by lifetime value: profitable customers who want price discounts."),
    _t("iron_tier", "iron tier", "钢铁层", "鋼鐵層", "PY2",
       "The third tier by lifetime value: many customers whose volume keeps the business at "
       "scale but who bring little profit."),
    _t("lead_tier", "lead tier", "重铅层", "重鉛層", "PY2",
       "The bottom tier by lifetime value: customers who cost more to serve than they "
       "bring."),
    _t("core_customer", "core customer", "核心客户", "核心客戶", "PY4 PY5",
       "One of the customers that carry most of the firm's profit and get the most attention."),
    _t("profile_card", "customer profile card", "资料卡", "資料卡", "PY4",
       "A record of one core customer: basic data, characteristics, performance, current "
       "trading and satisfaction."),
    _t("net_customer_profit", "net customer profit", "客户净利润", "客戶淨利潤", "PY5",
       "What a customer brings in gross profit minus the cost of serving and contacting them."),
    _t("tier_migration", "tier migration", "层级迁移", "層級遷移", "PY6",
       "Customers moving up or down the pyramid from one period to the next."),
    _t("differentiated_service", "differentiated service", "差异化服务", "差異化服務",
       "PY7 VA6",
       "Giving each tier or segment the service and resources its value justifies."),

    # --- VA: customer value -------------------------------------------------------------
    _t("customer_value", "customer value", "客户价值", "客戶價值", "VA1 VA3",
       "What a customer is worth to the firm, or what the firm's offer is worth to the "
       "customer."),
    _t("perceived_value", "customer-perceived value", "客户感知价值", "客戶感知價值", "VA1 VA4",
       "Total customer value minus total customer cost, as the customer sees it."),
    _t("total_customer_value", "total customer value", "顾客总价值", "顧客總價值", "VA1",
       "Everything a customer gets: product, service, personnel and image value."),
    _t("total_customer_cost", "total customer cost", "顾客总成本", "顧客總成本", "VA1",
       "Everything a customer gives up: money, time, energy and physical effort."),
    _t("product_value", "product value", "产品价值", "產品價值", "VA1",
       "The worth of the product's features, quality and design to the customer."),
    _t("service_value", "service value", "服务价值", "服務價值", "VA1",
       "The worth of delivery, installation, training and other services to the customer."),
    _t("personnel_value", "personnel value", "人员价值", "人員價值", "VA1",
       "The worth of the staff's knowledge, skill and attitude to the customer."),
    _t("image_value", "image value", "形象价值", "形象價值", "VA1",
       "The worth of the firm's and brand's reputation to the customer."),
    _t("monetary_cost", "monetary cost", "货币成本", "貨幣成本", "VA1",
       "The money a customer pays."),
    _t("time_cost", "time cost", "时间成本", "時間成本", "VA1",
       "The time a customer spends to buy and use the product."),
    _t("energy", "energy", "精力", "精力", "VA1",
       "The mental effort, attention and worry a purchase costs the customer."),
    _t("physical_cost", "physical effort", "体力成本", "體力成本", "VA1",
       "The bodily effort a purchase costs the customer, such as travelling and carrying."),
    _t("lifetime_value", "customer lifetime value", "客户终生价值", "客戶終生價值",
       "VA2 PY2",
       "The total a customer will bring the firm over the whole future relationship."),
    _t("functional_value", "functional value", "功能价值", "功能價值", "VA3",
       "The worth of what the product does."),
    _t("experiential_value", "experiential value", "体验价值", "體驗價值", "VA3",
       "The worth of how buying and using the product feels."),
    _t("social_value", "social value", "社会价值", "社會價值", "VA3",
       "The worth of what the purchase says about the customer to others."),
    _t("convenience_value", "convenience value", "便利价值", "便利價值", "VA3",
       "The worth of saving the customer time and trouble."),
    _t("relationship_value", "relationship value", "关系价值", "關係價值", "VA3",
       "The worth of a customer relationship to the firm beyond single sales."),
    _t("customer_expectations", "customer expectations", "客户期望", "客戶期望", "VA4 SA1",
       "What a customer expects to receive, against which they judge what they get."),
    _t("value_added_service", "value-added service", "增值服务", "增值服務", "VA6",
       "A service beyond the product itself that makes the offer worth more to the customer."),
    _t("switching_cost", "switching cost", "转换成本", "轉換成本", "VA6 KA4",
       "What a customer would lose or have to spend to move to another supplier."),
    _t("bundling", "bundling", "捆绑销售", "捆綁銷售", "VA6",
       "Selling several products or services together as one offer."),
    _t("customisation", "customisation", "定制", "定製", "VA6",
       "Adapting a product or service to one customer's needs."),
    _t("customer_club", "customer club", "客户俱乐部", "客戶俱樂部", "VA6",
       "A membership scheme that gives regular customers benefits and a sense of belonging."),
    _t("vip_card", "VIP card", "VIP卡", "VIP卡", "VA6",
       "A card that identifies a valued customer and gives them privileges."),

    # --- LC: the relationship lifecycle -------------------------------------------------
    _t("customer_lifecycle", "customer relationship lifecycle", "客户生命周期",
       "客戶生命週期", "LC1 LC3",
       "The stages a customer relationship passes through from first contact to its end."),
    _t("exploration_stage", "exploration stage", "考察期", "考察期", "LC1 LC2",
       "The first stage, with trial orders and mutual uncertainty, when cost is high and "
       "return low."),
    _t("formation_stage", "formation stage", "形成期", "形成期", "LC1 LC2",
       "The second stage, when volume rises and the first profits come but the relationship "
       "is not yet stable."),
    _t("stability_stage", "stability stage", "稳定期", "穩定期", "LC1 LC2",
       "The third stage, when most of the customer's relevant business is with us and "
       "profit is highest."),
    _t("decline_stage", "decline stage", "退化期", "退化期", "LC1 LC2",
       "The last stage, when our volume with the customer falls although their own business "
       "does not."),
    _t("introduction_phase", "introduction phase", "导入期", "導入期", "LC1",
       "In the five-phase scheme of seed 000, the phase when a customer first starts buying."),
    _t("growth_phase", "growth phase", "成长期", "成長期", "LC1",
       "In the five-phase scheme, the phase when a customer's purchases grow."),
    _t("maturity_phase", "maturity phase", "成熟期", "成熟期", "LC1",
       "In the five-phase scheme, the phase when a customer's purchases are high and steady."),
    _t("decline_phase", "decline phase", "衰退期", "衰退期", "LC1",
       "In the five-phase scheme, the phase when a customer's purchases fall."),
    _t("termination_phase", "termination phase", "终止期", "終止期", "LC1",
       "In the five-phase scheme, the phase when the relationship ends."),
    _t("share_of_wallet", "share of wallet", "钱包份额", "錢包份額", "LC2",
       "The part of a customer's total spending in our category that comes to us."),
    _t("cross_selling", "cross-selling", "交叉销售", "交叉銷售", "LC2",
       "Selling a customer products from other lines than the one they already buy."),
    _t("referral", "referral", "客户推荐", "客戶推薦", "LC2",
       "A customer recommending us to someone who then becomes a customer."),
    _t("lifecycle_pattern", "lifecycle pattern", "生命周期模式", "生命週期模式", "LC5",
       "The shape of a relationship's life, named by the stage in which it ended."),
    _t("early_abort", "early-abort pattern", "初期流产型", "初期流產型", "LC5",
       "A relationship that ends in the exploration stage."),
    _t("midway_failure", "mid-way pattern", "半途夭折型", "半途夭折型", "LC5",
       "A relationship that ends in the formation stage."),
    _t("early_exit", "early-exit pattern", "提前退出型", "提前退出型", "LC5",
       "A relationship that ends early in the stability stage."),
    _t("long_term", "long-term pattern", "长期保持型", "長期保持型", "LC5",
       "A relationship that lasts until late in the stability stage."),
    _t("new_customer_development", "new-customer development", "新客户开发", "新客戶開發",
       "LC4",
       "Finding and winning new customers, the strategy of the exploration stage."),
    _t("relationship_maintenance", "relationship maintenance", "关系维护", "關係維護",
       "LC4 MA4",
       "Keeping a stable relationship strong by treating the customer as part of the firm."),
    _t("customer_retention", "customer retention", "客户保持", "客戶保持", "LC6 SA2",
       "Keeping existing customers buying, which costs far less than winning new ones."),

    # --- CO: complaints and churn -------------------------------------------------------
    _t("complaint", "complaint", "投诉", "投訴", "CO1 CO3",
       "A customer's expressed dissatisfaction that asks for a resolution."),
    _t("complaint_record", "complaint record", "投诉记录", "投訴記錄", "CO4",
       "The written account of one complaint: what happened, to whom, why, and what the "
       "customer wants."),
    _t("churn", "churn", "客户流失", "客戶流失", "CO5 CO6",
       "A customer stopping buying from us or moving their business elsewhere."),
    _t("active_churn", "active churn", "主动流失", "主動流失", "CO5",
       "Churn the customer chooses, for example after a bad experience or a better offer."),
    _t("passive_churn", "passive churn", "被动流失", "被動流失", "CO5",
       "Churn the customer does not choose, for example when their own business closes."),
    _t("churn_analysis", "churn analysis", "流失分析", "流失分析", "CO6",
       "Finding out why, which and when customers leave, in order to fix the cause."),
    _t("dissatisfied_customer_management", "dissatisfied-customer management",
       "不满意客户管理", "不滿意客戶管理", "CO7 LC4",
       "Surveying satisfaction regularly, listing what customers are unhappy about and "
       "acting on the causes."),
    _t("word_of_mouth", "word of mouth", "口碑", "口碑", "CO2 CO8",
       "What customers tell others about a business, good or bad."),
    _t("nine_dos_and_donts", "nine do's and nine don'ts", "九准九不准", "九准九不准", "CO9",
       "A list of phrases service staff should say and phrases they must never say to a "
       "customer."),

    # --- SA: satisfaction and service quality -------------------------------------------
    _t("customer_satisfaction", "customer satisfaction", "客户满意度", "客戶滿意度",
       "SA1 SA2 SA5",
       "How well what customers perceive they got meets what they expected."),
    _t("customer_loyalty", "customer loyalty", "客户忠诚度", "客戶忠誠度", "SA2 KA5",
       "A customer's commitment to keep buying from us and to prefer us over rivals."),
    _t("service_quality", "service quality", "服务质量", "服務質量", "SA3 SA6",
       "How well a service meets customers' needs, judged on reliability, tangibles, "
       "responsiveness, empathy and assurance."),
    _t("reliability", "reliability", "可靠度", "可靠度", "SA3",
       "Delivering the promised service dependably and accurately."),
    _t("tangibles", "tangibles", "有形度", "有形度", "SA3",
       "The look of facilities, equipment, staff and materials."),
    _t("responsiveness", "responsiveness", "响应度", "響應度", "SA3",
       "Willingness to help customers and serve them promptly."),
    _t("empathy", "empathy", "同理度", "同理度", "SA3",
       "Caring, individual attention to each customer."),
    _t("assurance", "assurance", "专业度", "專業度", "SA3",
       "Staff knowledge and courtesy that make customers trust the service."),
    _t("reputation", "reputation", "美誉度", "美譽度", "SA4",
       "How well people who know a business think of it."),
    _t("awareness", "awareness", "知名度", "知名度", "SA4",
       "How many people know of a business or brand."),
    _t("return_rate", "return rate", "回头率", "回頭率", "SA4",
       "The share of customers who come back and buy again."),
    _t("complaint_rate", "complaint rate", "抱怨率", "抱怨率", "SA4",
       "The share of customers or orders that lead to a complaint."),
    _t("sales_power", "sales power", "销售力", "銷售力", "SA4",
       "How well a product sells, as a sign of how satisfied its buyers are."),
    _t("importance_performance", "importance-performance analysis", "重要性-绩效分析",
       "重要性-績效分析", "SA5",
       "Rating each service attribute for how much it matters and how well we do it, to "
       "find what to fix first."),
    _t("pdca", "PDCA cycle", "PDCA循环", "PDCA循環", "SA6",
       "Plan, do, check, act: a repeating loop for improving service quality step by step."),
    _t("information_need", "information need", "信息需求", "信息需求", "SA7",
       "A customer's need to get clear, accurate information."),
    _t("environment_need", "environment need", "环境需求", "環境需求", "SA7",
       "A customer's need for a comfortable, pleasant place of service."),
    _t("emotional_need", "emotional need", "情感需求", "情感需求", "SA7",
       "A customer's need to be respected, understood and treated warmly."),
    _t("convenience_need", "convenience need", "便利需求", "便利需求", "SA7",
       "A customer's need for service that is quick and easy to get."),
    _t("pre_sale_service", "pre-sale service", "售前服务", "售前服務", "SA8",
       "Help given before a purchase, such as advice and information."),
    _t("in_sale_service", "in-sale service", "售中服务", "售中服務", "SA8",
       "Help given during a purchase, such as ordering, payment and delivery."),
    _t("after_sale_service", "after-sale service", "售后服务", "售後服務", "SA8 LC6",
       "Help given after a purchase, such as installation, repairs and call-backs."),

    # --- KA: key accounts ---------------------------------------------------------------
    _t("key_account", "key account", "大客户", "大客戶", "KA1 KA2",
       "A customer who brings the firm large profit and gets special attention."),
    _t("purchase_concentration", "purchase concentration", "采购集中度", "採購集中度", "KA2",
       "How much of a customer's purchasing goes to a few suppliers."),
    _t("price_sensitivity", "price sensitivity", "价格敏感度", "價格敏感度", "KA2",
       "How strongly a customer's buying reacts to price changes."),
    _t("key_account_file", "key-account file", "大客户档案", "大客戶檔案", "KA3",
       "The record kept on a key account: basic, important, core and process information."),
    _t("trust", "trust", "信任", "信任", "KA4",
       "The customer's belief that we will keep our promises, the base of a key-account "
       "relationship."),
    _t("competitors", "competitors", "竞争对手", "競爭對手", "KA4",
       "Other suppliers who want our customer's business; watching them is a key to "
       "keeping an account."),
    _t("entry_barrier", "entry barrier", "进入壁垒", "進入壁壘", "KA4",
       "What makes it hard for a rival to start selling to our customer."),
    _t("exit_barrier", "exit barrier", "退出壁垒", "退出壁壘", "KA4",
       "What makes it costly for our customer to leave us."),
    _t("cooperation_risk", "cooperation risk", "合作风险", "合作風險", "KA4",
       "What could go wrong in a partnership, such as a customer's debts or dependence on "
       "one person."),

    # --- MA: maintenance and contact ----------------------------------------------------
    _t("customer_maintenance", "customer maintenance", "客户维护", "客戶維護", "MA1 MA4",
       "The ongoing work of keeping customer relationships and records in good order."),
    _t("customer_database", "customer database", "客户数据库", "客戶數據庫", "MA1",
       "A complete, up-to-date record of every customer and their dealings with us."),
    _t("rfm", "RFM analysis", "RFM分析", "RFM分析", "MA2 CL1",
       "Grouping customers by recency, frequency and monetary value of their purchases."),
    _t("call_back", "call-back", "回访", "回訪", "MA3",
       "Contacting a customer after a sale or at set times to keep in touch and learn new "
       "needs."),
    _t("person_responsible", "named person responsible", "专人负责", "專人負責", "MA4",
       "One staff member answerable for each customer relationship."),
)
# fmt: on

_BY_KEY: dict[str, Term] = {t.key: t for t in TERMS}
_ID_RE = re.compile(r"^([A-Z]{2})(\d+)$")


def concept_ids() -> list[str]:
    """Every concept ID of DOMAIN.md, in order: CL1..CL9, PY1..PY7, ..., MA5."""
    return [f"{sec}{i}" for sec, n in CONCEPT_COUNTS.items() for i in range(1, n + 1)]


def _normalise(name: str) -> str:
    return re.sub(r"[\s\-/]+", "_", name.strip().lower())


def term(key: str) -> Term:
    """The glossary entry for `key` (also found by its English name or Chinese form).

    An unknown name raises CrmkitError with the closest keys, so a typo in a
    notebook is a one-line message, not a KeyError.
    """
    if not isinstance(key, str):
        raise CrmkitError(f"a glossary key is text, such as 'stability_stage', not {key!r}")
    if key in _BY_KEY:
        return _BY_KEY[key]
    norm = _normalise(key)
    for t in TERMS:
        if norm in (t.key, _normalise(t.english)) or key.strip() in (t.simplified, t.traditional):
            return t
    names = list(_BY_KEY) + [_normalise(t.english) for t in TERMS]
    close = difflib.get_close_matches(norm, names, n=3, cutoff=0.6)
    keys = list(dict.fromkeys(_BY_KEY[c].key if c in _BY_KEY else _by_english(c) for c in close))
    hint = f" Did you mean {', '.join(repr(k) for k in keys)}?" if keys else ""
    raise CrmkitError(f"No glossary term {key!r}.{hint}")


def _by_english(norm_english: str) -> str:
    return next(t.key for t in TERMS if _normalise(t.english) == norm_english)


def first_use(key: str, script: Script = "simplified") -> str:
    """The text a notebook writes at a term's first mention, e.g. "stability stage (稳定期)".

    script: "simplified" (default), "traditional", or "both" ("稳定期 / 穩定期" when they differ).
    """
    return term(key).first_use(script)


def _concept_matcher(concept: str) -> Callable[[Term], bool]:
    """A test for one concept ID ("CL2") or one section prefix ("CL")."""
    if not isinstance(concept, str):
        raise CrmkitError(
            f"a concept is an ID such as 'CL2' or a section such as 'CL', not {concept!r}"
        )
    c = concept.strip().upper()
    if c in CONCEPT_COUNTS:
        return lambda t: any(_ID_RE.match(x)[1] == c for x in t.concepts)
    if c in concept_ids():
        return lambda t: c in t.concepts
    sections = ", ".join(CONCEPT_COUNTS)
    raise CrmkitError(
        f"Unknown concept {concept!r}: give an ID such as 'CL2' or a section ({sections})."
    )


def for_concept(concept_id: str) -> list[Term]:
    """The terms of one concept ("LC1"), or of a whole section ("LC"), in glossary order."""
    match = _concept_matcher(concept_id)
    return [t for t in TERMS if match(t)]


def glossary_table(
    concepts: str | Iterable[str] | None = None, keys: Iterable[str] | None = None
) -> pd.DataFrame:
    """The glossary as a table for a notebook's glossary section, one row per term.

    concepts: an ID ("CL2"), a section ("CL"), or a list of them; keys: a list
    of term keys. Both given: the terms matching either. Neither: every term.
    Columns english, simplified, traditional, definition, concepts; index: key.
    """
    if concepts is None and keys is None:
        chosen = list(TERMS)
    else:
        wanted: set[str] = set()
        if concepts is not None:
            matchers = [
                _concept_matcher(c) for c in ([concepts] if isinstance(concepts, str) else concepts)
            ]
            wanted |= {t.key for t in TERMS if any(m(t) for m in matchers)}
        if keys is not None:
            wanted |= {term(k).key for k in ([keys] if isinstance(keys, str) else keys)}
        chosen = [t for t in TERMS if t.key in wanted]
    frame = pd.DataFrame(
        {
            "english": [t.english for t in chosen],
            "simplified": [t.simplified for t in chosen],
            "traditional": [t.traditional for t in chosen],
            "definition": [t.definition for t in chosen],
            "concepts": [", ".join(t.concepts) for t in chosen],
        },
        index=pd.Index([t.key for t in chosen], name="key"),
    )
    return frame
