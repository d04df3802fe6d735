"""The service specifications of the demo catalogue.

No official list of the 2012 specifications survives (see domain.md), so these follow the
published groupings: the commissioning cycle (planning, agreeing contracts, monitoring
contracts), transformational and transactional functions, the four "at scale" services, the
back-office lines of real CCG–CSU agreements and the 2014 Lead Provider Framework lots.
"""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import ServiceSpecification

# code, name, phase, nature, scale, description, outputs (one a line), service levels
SPECIFICATIONS = [
    ("PLN-HNA", "Health needs assessment", "planning", "transformational", "local",
     "Joint strategic needs assessment support with the local authority: population health, "
     "inequalities and unmet need, turned into commissioning priorities.",
     "Annual health needs profile for the CCG population\nPractice-level needs analysis\n"
     "Contribution to the joint strategic needs assessment",
     "Needs profile delivered by the end of quarter 3\nAd hoc analyses within 15 working days"),
    ("PLN-PPE", "Patient and public engagement", "planning", "transformational", "local",
     "Planning and running engagement and consultation so that patients and the public shape "
     "commissioning decisions, meeting the duty to involve.",
     "Engagement plan for each major service change\nConsultation reports\n"
     "Patient reference group support",
     "Consultation reports within 20 working days of close\nQuarterly engagement report"),
    ("PLN-OPT", "Option appraisal and business cases", "planning", "transformational", "local",
     "Appraising options for service change and writing business cases to Treasury Green Book "
     "standard, including financial and activity modelling.",
     "Option appraisals with costed options\nBusiness cases for governing body approval",
     "Business case drafts within the agreed project plan\nModel assumptions documented"),
    ("PLN-RED", "Service redesign", "planning", "transformational", "local",
     "Clinically led redesign of care pathways: mapping, modelling, implementation support "
     "and benefits tracking.",
     "Pathway maps and redesign proposals\nImplementation plans\nBenefits realisation reports",
     "Project milestones met as agreed\nMonthly highlight report"),
    ("PLN-PRI", "Prioritisation and investment planning", "planning", "transformational",
     "local",
     "Running a transparent prioritisation process for investment and disinvestment, with "
     "clinical and public input.",
     "Prioritisation framework\nAnnual commissioning intentions\nInvestment and QIPP plans",
     "Commissioning intentions issued by 30 September\nQIPP tracker monthly"),
    ("PLN-EVL", "Evaluation of effectiveness", "planning", "transformational", "shared",
     "Evaluating commissioned services and pilots against outcomes, cost and experience.",
     "Evaluation frameworks\nEvaluation reports with recommendations",
     "Evaluation report within 8 weeks of data close"),
    ("PLN-CLS", "Clinical leadership support", "planning", "transformational", "local",
     "Supporting GP and clinical leads: development, protected time management, clinical "
     "networks and senate links.",
     "Clinical lead development programme\nClinical network support",
     "Development plan agreed per clinical lead each year"),
    ("PLN-CHG", "Leading change and organisational development", "planning",
     "transformational", "local",
     "Organisational development for the CCG towards authorisation and beyond: governance, "
     "culture, member practice engagement.",
     "Organisational development plan\nAuthorisation evidence support\nBoard development",
     "Authorisation evidence delivered to the agreed timetable"),
    ("PLN-RSK", "Risk stratification", "planning", "transactional", "shared",
     "Risk stratification of the registered population using linked primary and secondary "
     "care data, for case finding and planning.",
     "Monthly risk-stratified patient lists for practices\nPopulation risk profile",
     "Lists refreshed monthly by working day 15\nInformation governance compliant (IG toolkit "
     "level 2)"),
    ("AGR-PRC", "Clinical procurement", "agreeing_contracts", "transactional", "shared",
     "Procurement strategy, project management and compliance for clinical services under "
     "public procurement rules, including any qualified provider.",
     "Procurement strategy\nTender documents and evaluation\nContract award reports",
     "Compliant with public contracts regulations\nTimetable agreed per procurement"),
    ("AGR-MKT", "Market management and development", "agreeing_contracts", "transformational",
     "shared",
     "Market engagement, analysis and development so that enough good providers exist for "
     "what the CCG wants to buy.",
     "Market analyses\nProvider engagement events\nMarket position statements",
     "Market analysis within 6 weeks of request"),
    ("AGR-NEG", "Contract negotiation", "agreeing_contracts", "transactional", "local",
     "Negotiating the annual contracts with acute, community and mental health providers: "
     "activity plans, prices, CQUIN and local quality requirements.",
     "Signed contracts by the national deadline\nActivity and finance plans\nCQUIN schemes",
     "Contracts signed by the national deadline\nWeekly negotiation updates during the round"),
    ("MON-CTM", "Contract monitoring and provider management", "monitoring_contracts",
     "transactional", "local",
     "Monitoring activity, finance and performance against contracts; challenging and "
     "validating provider data; running contract review meetings.",
     "Monthly contract performance reports\nChallenges and validation\nContract review "
     "meetings",
     "Monthly report by working day 10\nChallenges raised within the contractual window"),
    ("MON-QA", "Quality assurance", "monitoring_contracts", "transactional", "local",
     "Assuring the quality and safety of commissioned services: serious incidents, quality "
     "visits, clinical quality review meetings.",
     "Quality dashboards\nSerious incident management\nQuality visit reports",
     "Serious incidents logged within 2 working days\nMonthly quality report"),
    ("MON-CHC", "Continuing healthcare", "monitoring_contracts", "transactional", "shared",
     "Assessment, review and case management of NHS continuing healthcare and funded nursing "
     "care, including retrospective reviews.",
     "Assessments and reviews\nCase management\nCHC activity and spend reports",
     "Assessment decisions within 28 days\n3-month and annual reviews on time"),
    ("MON-IFR", "Individual funding requests", "monitoring_contracts", "transactional",
     "shared",
     "Case management of individual funding requests against the CCG's policies, with panel "
     "support and appeals.",
     "Case management and panel papers\nIFR activity reports",
     "Decisions within 20 working days\nUrgent requests within 2 working days"),
    ("MON-MED", "Medicines management", "monitoring_contracts", "transactional", "local",
     "Prescribing analysis, formulary management and practice support for safe, cost-effective "
     "prescribing.",
     "Prescribing reports by practice\nFormulary and QIPP schemes\nPractice visits",
     "Monthly prescribing report\nPractice visits twice a year"),
    ("BI-DMIC", "Data management and integration", "business_support", "transactional",
     "national",
     "An at-scale data management and integration centre: receiving, validating, linking and "
     "storing data for commissioning, under information governance controls.",
     "Validated, linked data flows (SUS, GP, community)\nData warehouse access",
     "Monthly data flows available by working day 12\nData quality report monthly"),
    ("BI-DSS", "Decision support, dashboards and benchmarking", "business_support",
     "transactional", "shared",
     "Business intelligence for commissioners: dashboards, benchmarking and ad hoc analysis "
     "on top of integrated data.",
     "CCG dashboard\nBenchmarking packs\nAd hoc analyses",
     "Dashboard refreshed monthly\nAd hoc requests within 10 working days"),
    ("BUS-FIN", "Finance", "business_support", "transactional", "local",
     "Financial management and accounting: budgets, ledgers, month-end and year-end accounts, "
     "financial planning.",
     "Monthly finance reports\nAnnual accounts\nFinancial plans",
     "Month-end report by working day 8\nAccounts to the national timetable"),
    ("BUS-HR", "HR and payroll", "business_support", "transactional", "shared",
     "Human resources advice, recruitment, employee relations and payroll for CCG staff.",
     "Payroll\nRecruitment\nHR policies and casework",
     "Payroll accuracy 99.5%\nRecruitment adverts within 5 working days"),
    ("BUS-PRO", "Procurement of goods and services", "business_support", "transactional",
     "shared",
     "Non-clinical procurement: goods, services and estates contracts.",
     "Purchasing\nNon-clinical tenders\nContract register",
     "Orders placed within 2 working days"),
    ("BUS-LEG", "Legal services", "business_support", "transactional", "shared",
     "Legal advice on contracts, procurement challenges, governance and employment.",
     "Legal advice\nContract drafting and review",
     "Advice within 10 working days; urgent within 2"),
    ("BUS-IMT", "IM&T and managed ICT", "business_support", "transactional", "shared",
     "Managed ICT infrastructure, service desk, telephony, data hosting and disaster recovery "
     "for the CCG and its member practices.",
     "Desktop and network services\nService desk\nGP IT support",
     "Service desk answers 90% of calls within 30 seconds\nSystem availability 99.5%"),
    ("BUS-COM", "Communications and engagement", "business_support", "transformational",
     "national",
     "Communications, media handling, stakeholder relations and digital channels; a national "
     "service was proposed in 2012.",
     "Communications strategy\nMedia handling\nWebsite and publications",
     "Media enquiries answered the same working day"),
    ("BUS-GOV", "Corporate governance and board secretariat", "business_support",
     "transactional", "local",
     "Governing body and committee support, corporate governance, risk registers, complaints "
     "and freedom of information.",
     "Board papers\nRisk registers\nFOI and complaints handling",
     "Board papers issued 7 days before meetings\nFOI requests within 20 working days"),
    ("E2E-CSS", "End-to-end commissioning support", "business_support", "transformational",
     "local",
     "The full range of a CSS's support bought together, priced per head: the way most CCGs "
     "bought their support in 2013/14 (on average just over £9 per head).",
     "All the outputs of the included service lines\nA single account manager",
     "Quarterly service review with the CCG\nService levels of each included line"),
]


def seed_specifications(scale: int = 1) -> None:
    existing = set(db.session.scalars(select(ServiceSpecification.code)))
    for code, name, phase, nature, spec_scale, description, outputs, levels in SPECIFICATIONS:
        if code in existing:
            continue
        db.session.add(ServiceSpecification(
            code=code, name=name, phase=phase, nature=nature, scale=spec_scale,
            description=description, expected_outputs=outputs, expected_service_levels=levels,
        ))
