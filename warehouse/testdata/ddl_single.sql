CREATE DATABASE IF NOT EXISTS `xfwatch`;

CREATE TABLE IF NOT EXISTS `xfwatch`.`schema_migrations`
(
    `version` UInt32 COMMENT 'migration number',
    `name` String COMMENT 'what it does',
    `applied_at` DateTime64(3, 'Asia/Shanghai') COMMENT 'when'
)
ENGINE = MergeTree
ORDER BY version
COMMENT 'xfwatch schema versions applied';

CREATE TABLE IF NOT EXISTS `xfwatch`.`petitions`
(
    `case_id` String COMMENT '信访件编号, unique',
    `received_at` DateTime64(3, 'Asia/Shanghai') COMMENT '登记时间',
    `channel` LowCardinality(String) COMMENT 'letter|visit|phone|online|mailbox|video|email|fax',
    `receiving_level` LowCardinality(String) COMMENT 'village|township|county|city|province|national: where it was received',
    `origin_region` String COMMENT '问题属地 code as given: 6-digit county, 9-digit township or 12-digit village',
    `county_code` LowCardinality(String) COMMENT '6-digit county of origin_region',
    `township_code` LowCardinality(String) COMMENT '9-digit township of origin_region, empty for a county-level code',
    `category` LowCardinality(String) COMMENT '问题类别 (SPEC 3.5)',
    `headcount` UInt16 COMMENT '人数; >= 5 is 集体访',
    `abnormal` Bool COMMENT '非正常上访',
    `petitioner_key` String COMMENT 'HMAC-SHA256 pseudonym of the petitioner, hex',
    `key_hash` UInt64 MATERIALIZED cityHash64(petitioner_key) COMMENT 'cityHash64(petitioner_key), computed by the engine: the transforms find a key\'s petitions by it',
    `key_kind` LowCardinality(String) COMMENT 'id|phone|weak: what the key was derived from',
    `responsible_unit` LowCardinality(String) COMMENT '责任单位 code',
    `subject` String COMMENT '事由, ID and phone numbers redacted',
    `has_content` Bool COMMENT 'free text kept in restricted_texts',
    `topic` LowCardinality(String) COMMENT 'Kafka topic the record was read from',
    `partition` Int32 COMMENT 'Kafka partition',
    `offset` Int64 COMMENT 'Kafka offset',
    `ingested_at` DateTime64(3, 'Asia/Shanghai') DEFAULT now64(3) COMMENT 'when ingest stored the row',
    INDEX `case_id_range` case_id TYPE minmax GRANULARITY 1,
    INDEX `ingested_at_range` ingested_at TYPE minmax GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY (county_code, category, received_at, case_id)
SETTINGS non_replicated_deduplication_window = 10000
COMMENT '信访件 registrations (xf.petitions), pseudonymised';

CREATE TABLE IF NOT EXISTS `xfwatch`.`hotline_orders`
(
    `order_id` String COMMENT '工单编号, unique',
    `received_at` DateTime64(3, 'Asia/Shanghai') COMMENT '受理时间',
    `channel` LowCardinality(String) COMMENT 'phone|web|app|wechat|email',
    `kind` LowCardinality(String) COMMENT 'consult|help|complaint|report|suggestion|praise',
    `region` String COMMENT 'region code as given',
    `county_code` LowCardinality(String) COMMENT '6-digit county of region',
    `township_code` LowCardinality(String) COMMENT '9-digit township of region, empty for a county-level code',
    `category` LowCardinality(String) COMMENT '问题类别',
    `caller_key` String COMMENT 'HMAC-SHA256 pseudonym of the caller, hex',
    `key_hash` UInt64 MATERIALIZED cityHash64(caller_key) COMMENT 'cityHash64(caller_key), computed by the engine: the transforms find a key\'s orders by it',
    `key_kind` LowCardinality(String) COMMENT 'id|phone|weak',
    `urgent` Bool COMMENT '紧急',
    `assigned_unit` LowCardinality(String) COMMENT '承办单位 code',
    `case_id` String COMMENT '信访件 this order became, empty if none',
    `subject` String COMMENT '事由, ID and phone numbers redacted',
    `has_content` Bool COMMENT 'free text kept in restricted_texts',
    `topic` LowCardinality(String) COMMENT 'Kafka topic the record was read from',
    `partition` Int32 COMMENT 'Kafka partition',
    `offset` Int64 COMMENT 'Kafka offset',
    `ingested_at` DateTime64(3, 'Asia/Shanghai') DEFAULT now64(3) COMMENT 'when ingest stored the row',
    INDEX `order_id_range` order_id TYPE minmax GRANULARITY 1,
    INDEX `ingested_at_range` ingested_at TYPE minmax GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY (county_code, category, received_at, order_id)
SETTINGS non_replicated_deduplication_window = 10000
COMMENT '12345 work orders (xf.hotline), pseudonymised';

CREATE TABLE IF NOT EXISTS `xfwatch`.`events`
(
    `event_id` String COMMENT 'unique',
    `ref_kind` LowCardinality(String) COMMENT 'petition|hotline',
    `ref` String COMMENT 'case_id or order_id',
    `at` DateTime64(3, 'Asia/Shanghai') COMMENT 'when it happened',
    `type` LowCardinality(String) COMMENT 'accepted|rejected|assigned|transferred|extended|contacted|concluded|review_requested|reviewed|rereview_requested|rereviewed|terminated|evaluated|supervised|leader_assigned|leader_received|reopened',
    `unit` LowCardinality(String) COMMENT 'acting unit code',
    `result` LowCardinality(String) COMMENT 'concluded: upheld|partial|rejected (petitions), resolved|unresolved (orders)',
    `satisfaction` LowCardinality(String) COMMENT 'evaluated: satisfied|basic|unsatisfied',
    `leader` String COMMENT '包案/接待 leader (an official, not a petitioner)',
    `has_note` Bool COMMENT 'note kept in restricted_texts',
    `topic` LowCardinality(String) COMMENT 'Kafka topic the record was read from',
    `partition` Int32 COMMENT 'Kafka partition',
    `offset` Int64 COMMENT 'Kafka offset',
    `ingested_at` DateTime64(3, 'Asia/Shanghai') DEFAULT now64(3) COMMENT 'when ingest stored the row',
    INDEX `ingested_at_range` ingested_at TYPE minmax GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (ref_kind, ref, at, event_id)
SETTINGS non_replicated_deduplication_window = 10000
COMMENT 'handling events of petitions and orders (xf.events)';

CREATE TABLE IF NOT EXISTS `xfwatch`.`unit_reports`
(
    `report_id` String COMMENT 'unique',
    `unit` LowCardinality(String) COMMENT 'reporting unit code',
    `day` Date COMMENT 'the day reported on',
    `submitted_at` DateTime64(3, 'Asia/Shanghai') COMMENT 'when it was filed',
    `incidents` UInt32 COMMENT '0 = 零报告',
    `has_note` Bool COMMENT 'note kept in restricted_texts',
    `topic` LowCardinality(String) COMMENT 'Kafka topic the record was read from',
    `partition` Int32 COMMENT 'Kafka partition',
    `offset` Int64 COMMENT 'Kafka offset',
    `ingested_at` DateTime64(3, 'Asia/Shanghai') DEFAULT now64(3) COMMENT 'when ingest stored the row'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (unit, day, report_id)
SETTINGS non_replicated_deduplication_window = 10000
COMMENT 'daily unit reports and 零报告 (xf.unit-reports)';

CREATE TABLE IF NOT EXISTS `xfwatch`.`restricted_texts`
(
    `ref_kind` LowCardinality(String) COMMENT 'petition|hotline|event|unit_report',
    `ref` String COMMENT 'the record\'s id',
    `field` LowCardinality(String) COMMENT 'content|note',
    `text` String COMMENT 'the text, ID and phone numbers redacted',
    `at` DateTime64(3, 'Asia/Shanghai') COMMENT 'the record\'s time',
    `topic` LowCardinality(String) COMMENT 'Kafka topic the record was read from',
    `partition` Int32 COMMENT 'Kafka partition',
    `offset` Int64 COMMENT 'Kafka offset',
    `ingested_at` DateTime64(3, 'Asia/Shanghai') DEFAULT now64(3) COMMENT 'when ingest stored the row'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (ref_kind, ref, field)
SETTINGS non_replicated_deduplication_window = 10000
COMMENT 'free text (content, notes): only roles with case access may read it; ID and phone numbers redacted';

CREATE TABLE IF NOT EXISTS `xfwatch`.`regions`
(
    `code` String COMMENT '6-digit county or 9-digit township code',
    `name` String COMMENT 'name',
    `level` LowCardinality(String) COMMENT 'county|township',
    `parent` String COMMENT 'parent code (the city for a county)',
    `population` UInt32 COMMENT 'approximate residents, for per-10k rates',
    `county_code` LowCardinality(String) COMMENT 'the county it belongs to'
)
ENGINE = MergeTree
ORDER BY code
COMMENT '行政区划: counties and townships of the city';

CREATE TABLE IF NOT EXISTS `xfwatch`.`region_villages`
(
    `code` String COMMENT '12-digit village code',
    `name` String COMMENT 'name',
    `township_code` LowCardinality(String) COMMENT '9-digit township',
    `county_code` LowCardinality(String) COMMENT '6-digit county'
)
ENGINE = MergeTree
ORDER BY code
COMMENT '村/社区 codes (12 digits), valid as origin_region';

CREATE TABLE IF NOT EXISTS `xfwatch`.`units`
(
    `code` String COMMENT 'unit code',
    `name` String COMMENT 'name',
    `kind` LowCardinality(String) COMMENT 'government|department|petition_bureau|hotline',
    `region` String COMMENT 'region code the unit serves',
    `level` LowCardinality(String) COMMENT 'city|county|township',
    `parent` String COMMENT 'superior unit code'
)
ENGINE = MergeTree
ORDER BY code
COMMENT '责任单位: governments, departments, petition bureaus';

CREATE TABLE IF NOT EXISTS `xfwatch`.`sensitive_periods`
(
    `name` String COMMENT 'name',
    `start` Date COMMENT 'first day, inclusive',
    `end` Date COMMENT 'last day, inclusive',
    `zero_report_required` Bool COMMENT 'every unit reports daily',
    `threshold_factor` Float64 COMMENT 'alert thresholds multiplied by this',
    `region` String COMMENT 'empty for the whole city, else a county code'
)
ENGINE = MergeTree
ORDER BY (start, name)
COMMENT '敏感时期: 零报告 required, alert thresholds scaled';

CREATE TABLE IF NOT EXISTS `xfwatch`.`audit_log`
(
    `at` DateTime64(3, 'Asia/Shanghai') COMMENT 'when',
    `user` String COMMENT 'account name',
    `role` LowCardinality(String) COMMENT 'the account\'s role',
    `action` LowCardinality(String) COMMENT 'view|export|ack|assign|resolve|login|…',
    `object` String COMMENT 'what was acted on: a page, an alert id, an export query',
    `outcome` LowCardinality(String) COMMENT 'ok|denied|error',
    `detail` String COMMENT 'more, never identity',
    `remote_addr` String COMMENT 'client address'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (at, user)
SETTINGS non_replicated_deduplication_window = 10000
COMMENT 'append-only record of every page view, export and alert action';

CREATE TABLE IF NOT EXISTS `xfwatch`.`ingest_batches`
(
    `table` LowCardinality(String) COMMENT 'destination table',
    `topic` LowCardinality(String) COMMENT 'Kafka topic',
    `partition` Int32 COMMENT 'Kafka partition',
    `first_offset` Int64 COMMENT 'first offset of the batch',
    `last_offset` Int64 COMMENT 'last offset of the batch',
    `rows` UInt32 COMMENT 'rows inserted',
    `duplicates` UInt32 COMMENT 'records skipped because their id was already stored',
    `token` String COMMENT 'insert_deduplication_token',
    `inserted_at` DateTime64(3, 'Asia/Shanghai') COMMENT 'when'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(inserted_at)
ORDER BY (topic, partition, first_offset)
SETTINGS non_replicated_deduplication_window = 10000
COMMENT 'one row per batch ingest stored: the offsets it covered';

CREATE TABLE IF NOT EXISTS `xfwatch`.`hotspot_daily`
(
    `day` Date COMMENT 'the day',
    `region` LowCardinality(String) COMMENT 'county or township code',
    `region_level` LowCardinality(String) COMMENT 'county|township',
    `county_code` LowCardinality(String) COMMENT 'the region\'s county',
    `category` LowCardinality(String) COMMENT '问题类别',
    `source` LowCardinality(String) COMMENT 'petitions (信访件), hotline (12345 orders) or people (sum of headcount)',
    `n` UInt32 COMMENT 'count on the day',
    `population` UInt32 COMMENT 'the region\'s residents',
    `rate_per_10k` Float64 COMMENT 'n per 10,000 residents',
    `c1_upper` Float64 COMMENT 'EARS C1 upper bound (NaN where undefined)',
    `c2_upper` Float64 COMMENT 'EARS C2 upper bound',
    `c3_upper` Float64 COMMENT 'EARS C3 upper bound',
    `c1_alarm` Bool COMMENT 'n > c1_upper',
    `c2_alarm` Bool COMMENT 'n > c2_upper',
    `c3_alarm` Bool COMMENT 'n > c3_upper',
    `alarm` Bool COMMENT 'any of the three',
    `risk` UInt8 COMMENT 'risk score 0-100 of the region × category cell (risk_daily)'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (region_level, region, category, source, day)
COMMENT '热点: daily counts per county and township × category, EARS C1/C2/C3, risk';

CREATE TABLE IF NOT EXISTS `xfwatch`.`hotspot_daily_staging`
(
    `day` Date COMMENT 'the day',
    `region` LowCardinality(String) COMMENT 'county or township code',
    `region_level` LowCardinality(String) COMMENT 'county|township',
    `county_code` LowCardinality(String) COMMENT 'the region\'s county',
    `category` LowCardinality(String) COMMENT '问题类别',
    `source` LowCardinality(String) COMMENT 'petitions (信访件), hotline (12345 orders) or people (sum of headcount)',
    `n` UInt32 COMMENT 'count on the day',
    `population` UInt32 COMMENT 'the region\'s residents',
    `rate_per_10k` Float64 COMMENT 'n per 10,000 residents',
    `c1_upper` Float64 COMMENT 'EARS C1 upper bound (NaN where undefined)',
    `c2_upper` Float64 COMMENT 'EARS C2 upper bound',
    `c3_upper` Float64 COMMENT 'EARS C3 upper bound',
    `c1_alarm` Bool COMMENT 'n > c1_upper',
    `c2_alarm` Bool COMMENT 'n > c2_upper',
    `c3_alarm` Bool COMMENT 'n > c3_upper',
    `alarm` Bool COMMENT 'any of the three',
    `risk` UInt8 COMMENT 'risk score 0-100 of the region × category cell (risk_daily)'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (region_level, region, category, source, day)
COMMENT '热点: daily counts per county and township × category, EARS C1/C2/C3, risk';

CREATE TABLE IF NOT EXISTS `xfwatch`.`hotspot_weekly`
(
    `week` Date COMMENT 'Monday of the week',
    `region` LowCardinality(String) COMMENT 'county or township code',
    `region_level` LowCardinality(String) COMMENT 'county|township',
    `county_code` LowCardinality(String) COMMENT 'the region\'s county',
    `category` LowCardinality(String) COMMENT '问题类别',
    `source` LowCardinality(String) COMMENT 'petitions|hotline|people',
    `n` UInt32 COMMENT 'count in the week',
    `expected` Float64 COMMENT 'seasonal expectation: the same weeks a year earlier, else the 8 weeks before',
    `cusum` Float64 COMMENT 'Poisson CUSUM statistic for a doubling of the expectation',
    `cusum_alarm` Bool COMMENT 'cusum above the decision limit'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(week)
ORDER BY (region_level, region, category, source, week)
COMMENT '热点: weekly counts with a seasonal Poisson CUSUM';

CREATE TABLE IF NOT EXISTS `xfwatch`.`hotspot_weekly_staging`
(
    `week` Date COMMENT 'Monday of the week',
    `region` LowCardinality(String) COMMENT 'county or township code',
    `region_level` LowCardinality(String) COMMENT 'county|township',
    `county_code` LowCardinality(String) COMMENT 'the region\'s county',
    `category` LowCardinality(String) COMMENT '问题类别',
    `source` LowCardinality(String) COMMENT 'petitions|hotline|people',
    `n` UInt32 COMMENT 'count in the week',
    `expected` Float64 COMMENT 'seasonal expectation: the same weeks a year earlier, else the 8 weeks before',
    `cusum` Float64 COMMENT 'Poisson CUSUM statistic for a doubling of the expectation',
    `cusum_alarm` Bool COMMENT 'cusum above the decision limit'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(week)
ORDER BY (region_level, region, category, source, week)
COMMENT '热点: weekly counts with a seasonal Poisson CUSUM';

CREATE TABLE IF NOT EXISTS `xfwatch`.`risk_daily`
(
    `day` Date COMMENT 'the day',
    `region` LowCardinality(String) COMMENT 'county or township code',
    `region_level` LowCardinality(String) COMMENT 'county|township',
    `county_code` LowCardinality(String) COMMENT 'the region\'s county',
    `category` LowCardinality(String) COMMENT '问题类别',
    `risk` UInt8 COMMENT 'volume_pts + growth_pts + alarm_pts + severity_pts, at most 100',
    `volume_pts` Float64 COMMENT '0-40: petitions per 10k residents in 28 days against the city\'s 95th percentile cell',
    `growth_pts` Float64 COMMENT '0-25: the last 7 days against the 28 days before',
    `alarm_pts` Float64 COMMENT '0-20: EARS alarm days in the last 7 days and the weekly CUSUM',
    `severity_pts` Float64 COMMENT '0-15: collective petitions, 三访 and repeat petitions in 30 days',
    `petitions_28d` UInt32 COMMENT 'petitions in the 28 days up to the day',
    `rate_28d` Float64 COMMENT 'petitions_28d per 10k residents',
    `last7` UInt32 COMMENT 'petitions in the last 7 days',
    `prev28_weekly` Float64 COMMENT 'weekly average of the 28 days before those 7',
    `alarm_days_7d` UInt8 COMMENT 'days with an EARS alarm in the last 7',
    `cusum_alarm` Bool COMMENT 'weekly CUSUM alarm this or last week',
    `collective_30d` UInt32 COMMENT '集体访 in 30 days',
    `three_visits_30d` UInt32 COMMENT '三访 in 30 days',
    `repeats_30d` UInt32 COMMENT 'repeat petitions in 30 days'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (region_level, region, category, day)
COMMENT 'risk score 0-100 per region × category cell and day, with its parts (see docs/INDICATORS.md)';

CREATE TABLE IF NOT EXISTS `xfwatch`.`risk_daily_staging`
(
    `day` Date COMMENT 'the day',
    `region` LowCardinality(String) COMMENT 'county or township code',
    `region_level` LowCardinality(String) COMMENT 'county|township',
    `county_code` LowCardinality(String) COMMENT 'the region\'s county',
    `category` LowCardinality(String) COMMENT '问题类别',
    `risk` UInt8 COMMENT 'volume_pts + growth_pts + alarm_pts + severity_pts, at most 100',
    `volume_pts` Float64 COMMENT '0-40: petitions per 10k residents in 28 days against the city\'s 95th percentile cell',
    `growth_pts` Float64 COMMENT '0-25: the last 7 days against the 28 days before',
    `alarm_pts` Float64 COMMENT '0-20: EARS alarm days in the last 7 days and the weekly CUSUM',
    `severity_pts` Float64 COMMENT '0-15: collective petitions, 三访 and repeat petitions in 30 days',
    `petitions_28d` UInt32 COMMENT 'petitions in the 28 days up to the day',
    `rate_28d` Float64 COMMENT 'petitions_28d per 10k residents',
    `last7` UInt32 COMMENT 'petitions in the last 7 days',
    `prev28_weekly` Float64 COMMENT 'weekly average of the 28 days before those 7',
    `alarm_days_7d` UInt8 COMMENT 'days with an EARS alarm in the last 7',
    `cusum_alarm` Bool COMMENT 'weekly CUSUM alarm this or last week',
    `collective_30d` UInt32 COMMENT '集体访 in 30 days',
    `three_visits_30d` UInt32 COMMENT '三访 in 30 days',
    `repeats_30d` UInt32 COMMENT 'repeat petitions in 30 days'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (region_level, region, category, day)
COMMENT 'risk score 0-100 per region × category cell and day, with its parts (see docs/INDICATORS.md)';

CREATE TABLE IF NOT EXISTS `xfwatch`.`petition_flags`
(
    `case_id` String COMMENT '信访件编号',
    `received_at` DateTime64(3, 'Asia/Shanghai') COMMENT '登记时间',
    `county_code` LowCardinality(String) COMMENT 'county of origin',
    `township_code` LowCardinality(String) COMMENT 'township of origin, if any',
    `category` LowCardinality(String) COMMENT '问题类别',
    `receiving_level` LowCardinality(String) COMMENT 'where it was received',
    `headcount` UInt16 COMMENT '人数',
    `is_repeat` Bool COMMENT 'the same key petitioned in the same category within the repeat window before',
    `prior_same_category` UInt32 COMMENT 'those earlier petitions',
    `is_skip_level` Bool COMMENT 'city or above, with no county-or-below petition of the key in the category within 365 days before',
    `is_collective` Bool COMMENT 'headcount >= 5',
    `three_visit_type` LowCardinality(String) COMMENT 'beijing_abnormal (进京非正常上访), province_collective (赴省集体上访), city_collective (来市集体上访) or empty',
    `is_escalation` Bool COMMENT 'at least 2 complaint/report orders of the key in the category in the 60 days before',
    `prior_orders` UInt32 COMMENT 'those orders',
    INDEX `case_id_range` case_id TYPE minmax GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY (county_code, received_at, case_id)
COMMENT 'per petition: 重复访, 越级访, 集体访, 三访 type, hotline escalation';

CREATE TABLE IF NOT EXISTS `xfwatch`.`petition_flags_staging`
(
    `case_id` String COMMENT '信访件编号',
    `received_at` DateTime64(3, 'Asia/Shanghai') COMMENT '登记时间',
    `county_code` LowCardinality(String) COMMENT 'county of origin',
    `township_code` LowCardinality(String) COMMENT 'township of origin, if any',
    `category` LowCardinality(String) COMMENT '问题类别',
    `receiving_level` LowCardinality(String) COMMENT 'where it was received',
    `headcount` UInt16 COMMENT '人数',
    `is_repeat` Bool COMMENT 'the same key petitioned in the same category within the repeat window before',
    `prior_same_category` UInt32 COMMENT 'those earlier petitions',
    `is_skip_level` Bool COMMENT 'city or above, with no county-or-below petition of the key in the category within 365 days before',
    `is_collective` Bool COMMENT 'headcount >= 5',
    `three_visit_type` LowCardinality(String) COMMENT 'beijing_abnormal (进京非正常上访), province_collective (赴省集体上访), city_collective (来市集体上访) or empty',
    `is_escalation` Bool COMMENT 'at least 2 complaint/report orders of the key in the category in the 60 days before',
    `prior_orders` UInt32 COMMENT 'those orders',
    INDEX `case_id_range` case_id TYPE minmax GRANULARITY 1
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(received_at)
ORDER BY (county_code, received_at, case_id)
COMMENT 'per petition: 重复访, 越级访, 集体访, 三访 type, hotline escalation';

CREATE TABLE IF NOT EXISTS `xfwatch`.`repeat_monthly`
(
    `month` Date COMMENT 'first day of the month',
    `region` LowCardinality(String) COMMENT 'county or township code, or the city',
    `region_level` LowCardinality(String) COMMENT 'city|county|township',
    `petitions` UInt32 COMMENT 'petitions received',
    `repeats` UInt32 COMMENT 'of them repeats',
    `repeat_rate` Float64 COMMENT 'repeats / petitions',
    `collective` UInt32 COMMENT '集体访 (headcount >= 5) among the petitions',
    `people` UInt32 COMMENT 'people involved (sum of headcount)'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(month)
ORDER BY (region_level, region, month)
COMMENT '重复访 rate per region × month';

CREATE TABLE IF NOT EXISTS `xfwatch`.`repeat_monthly_staging`
(
    `month` Date COMMENT 'first day of the month',
    `region` LowCardinality(String) COMMENT 'county or township code, or the city',
    `region_level` LowCardinality(String) COMMENT 'city|county|township',
    `petitions` UInt32 COMMENT 'petitions received',
    `repeats` UInt32 COMMENT 'of them repeats',
    `repeat_rate` Float64 COMMENT 'repeats / petitions',
    `collective` UInt32 COMMENT '集体访 (headcount >= 5) among the petitions',
    `people` UInt32 COMMENT 'people involved (sum of headcount)'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(month)
ORDER BY (region_level, region, month)
COMMENT '重复访 rate per region × month';

CREATE TABLE IF NOT EXISTS `xfwatch`.`three_visits_monthly`
(
    `month` Date COMMENT 'first day of the month',
    `county_code` LowCardinality(String) COMMENT 'county',
    `type` LowCardinality(String) COMMENT 'beijing_abnormal|province_collective|city_collective',
    `n` UInt32 COMMENT 'events (petitions)',
    `people` UInt32 COMMENT 'people involved (sum of headcount)',
    `n_last_year` UInt32 COMMENT 'events in the same month a year earlier',
    `yoy_change` Float64 COMMENT '(n - n_last_year) / n_last_year; NaN when there were none'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(month)
ORDER BY (county_code, type, month)
COMMENT '三访 per county and month, with the same month a year earlier';

CREATE TABLE IF NOT EXISTS `xfwatch`.`three_visits_monthly_staging`
(
    `month` Date COMMENT 'first day of the month',
    `county_code` LowCardinality(String) COMMENT 'county',
    `type` LowCardinality(String) COMMENT 'beijing_abnormal|province_collective|city_collective',
    `n` UInt32 COMMENT 'events (petitions)',
    `people` UInt32 COMMENT 'people involved (sum of headcount)',
    `n_last_year` UInt32 COMMENT 'events in the same month a year earlier',
    `yoy_change` Float64 COMMENT '(n - n_last_year) / n_last_year; NaN when there were none'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(month)
ORDER BY (county_code, type, month)
COMMENT '三访 per county and month, with the same month a year earlier';

CREATE TABLE IF NOT EXISTS `xfwatch`.`key_history`
(
    `petitioner_key` String COMMENT 'pseudonym',
    `as_of` Date COMMENT 'the day the counts run to',
    `county_code` LowCardinality(String) COMMENT 'county of the latest petition',
    `visits_30d` UInt32 COMMENT 'petitions in the 30 days to as_of',
    `visits_90d` UInt32 COMMENT 'in 90 days',
    `visits_365d` UInt32 COMMENT 'in 365 days',
    `visits_total` UInt32 COMMENT 'ever',
    `highest_level` LowCardinality(String) COMMENT 'highest receiving level ever reached',
    `climbed_30d` Bool COMMENT 'reached a higher level than ever before within the last 30 days',
    `first_seen` DateTime64(3, 'Asia/Shanghai') COMMENT 'first petition',
    `last_seen` DateTime64(3, 'Asia/Shanghai') COMMENT 'latest petition',
    `top_category` LowCardinality(String) COMMENT 'most frequent category (ties: the one petitioned most recently)'
)
ENGINE = MergeTree
ORDER BY petitioner_key
COMMENT 'per petitioner key, as of the last run: visits in 30/90/365 days, highest level reached';

CREATE TABLE IF NOT EXISTS `xfwatch`.`key_history_staging`
(
    `petitioner_key` String COMMENT 'pseudonym',
    `as_of` Date COMMENT 'the day the counts run to',
    `county_code` LowCardinality(String) COMMENT 'county of the latest petition',
    `visits_30d` UInt32 COMMENT 'petitions in the 30 days to as_of',
    `visits_90d` UInt32 COMMENT 'in 90 days',
    `visits_365d` UInt32 COMMENT 'in 365 days',
    `visits_total` UInt32 COMMENT 'ever',
    `highest_level` LowCardinality(String) COMMENT 'highest receiving level ever reached',
    `climbed_30d` Bool COMMENT 'reached a higher level than ever before within the last 30 days',
    `first_seen` DateTime64(3, 'Asia/Shanghai') COMMENT 'first petition',
    `last_seen` DateTime64(3, 'Asia/Shanghai') COMMENT 'latest petition',
    `top_category` LowCardinality(String) COMMENT 'most frequent category (ties: the one petitioned most recently)'
)
ENGINE = MergeTree
ORDER BY petitioner_key
COMMENT 'per petitioner key, as of the last run: visits in 30/90/365 days, highest level reached';

CREATE TABLE IF NOT EXISTS `xfwatch`.`hotline_at_risk`
(
    `caller_key` String COMMENT 'pseudonym (same keying as petitioner_key)',
    `category` LowCardinality(String) COMMENT '问题类别',
    `county_code` LowCardinality(String) COMMENT 'county of the latest order',
    `as_of` Date COMMENT 'the day the window ends',
    `orders_30d` UInt32 COMMENT 'complaint/report orders in the 30 days',
    `unresolved_30d` UInt32 COMMENT 'of them unresolved, not concluded or evaluated unsatisfied',
    `last_order_at` DateTime64(3, 'Asia/Shanghai') COMMENT 'latest order',
    `has_petitioned` Bool COMMENT 'the key has filed a petition in the category since'
)
ENGINE = MergeTree
ORDER BY (category, caller_key)
COMMENT 'callers at risk of escalating: >= 3 complaint/report orders in a category in 30 days, unresolved or unsatisfied';

CREATE TABLE IF NOT EXISTS `xfwatch`.`hotline_at_risk_staging`
(
    `caller_key` String COMMENT 'pseudonym (same keying as petitioner_key)',
    `category` LowCardinality(String) COMMENT '问题类别',
    `county_code` LowCardinality(String) COMMENT 'county of the latest order',
    `as_of` Date COMMENT 'the day the window ends',
    `orders_30d` UInt32 COMMENT 'complaint/report orders in the 30 days',
    `unresolved_30d` UInt32 COMMENT 'of them unresolved, not concluded or evaluated unsatisfied',
    `last_order_at` DateTime64(3, 'Asia/Shanghai') COMMENT 'latest order',
    `has_petitioned` Bool COMMENT 'the key has filed a petition in the category since'
)
ENGINE = MergeTree
ORDER BY (category, caller_key)
COMMENT 'callers at risk of escalating: >= 3 complaint/report orders in a category in 30 days, unresolved or unsatisfied';

CREATE TABLE IF NOT EXISTS `xfwatch`.`case_status`
(
    `case_id` String COMMENT '信访件编号',
    `as_of` Date COMMENT 'status as of this day',
    `received_at` DateTime64(3, 'Asia/Shanghai') COMMENT '登记时间',
    `received_day` Date COMMENT 'day received',
    `responsible_unit` LowCardinality(String) COMMENT '责任单位',
    `unit_level` LowCardinality(String) COMMENT 'city|county|township of that unit',
    `county_code` LowCardinality(String) COMMENT 'county of origin',
    `origin_level` LowCardinality(String) COMMENT 'county|township|village: how precise origin_region is',
    `category` LowCardinality(String) COMMENT '问题类别',
    `status` LowCardinality(String) COMMENT 'registered|rejected|accepted|concluded|review|reviewed|rereview|rereviewed|terminated',
    `accepted_day` Nullable(Date) COMMENT '受理',
    `accept_due` Date COMMENT 'received_day + accept limit',
    `accepted_on_time` Bool COMMENT 'accepted by accept_due',
    `extended` Bool COMMENT '延期',
    `concluded_day` Nullable(Date) COMMENT '办结 (first conclusion)',
    `conclude_due` Nullable(Date) COMMENT 'accepted_day + conclude limit (+ extension)',
    `concluded_on_time` Bool COMMENT 'concluded by conclude_due',
    `concluding_unit_level` LowCardinality(String) COMMENT 'level of the unit that concluded it',
    `result` LowCardinality(String) COMMENT 'upheld|partial|rejected',
    `review_requested_day` Nullable(Date) COMMENT '申请复查',
    `review_request_in_time` Bool COMMENT 'requested within the review-request limit after conclusion',
    `reviewed_day` Nullable(Date) COMMENT '复查办结',
    `reviewed_on_time` Bool COMMENT '复查 concluded within its limit',
    `rereview_requested_day` Nullable(Date) COMMENT '申请复核',
    `rereviewed_day` Nullable(Date) COMMENT '复核办结',
    `terminated` Bool COMMENT '终结',
    `satisfaction` LowCardinality(String) COMMENT 'satisfied|basic|unsatisfied, latest evaluation',
    `first_resolution` Bool COMMENT '首办终结: concluded, no review requested within the limit, the limit has passed',
    `open_days` UInt32 COMMENT 'days from received to conclusion, or to as_of if open',
    `overdue` Bool COMMENT 'open past its deadline as of as_of',
    `backlog` Bool COMMENT '积案: overdue or open more than the backlog age',
    `local_resolution` Bool COMMENT '小事不出村、大事不出乡: village/township origin, concluded at township level or below, never escalated',
    `evaluated_months` Array(Date) COMMENT 'months with an evaluation (满意度评价), in order',
    `evaluated_satisfaction` Array(LowCardinality(String)) COMMENT 'the latest evaluation of each of those months',
    `active_until` Date COMMENT 'the last day a month\'s 办理 rates can count the case: the latest of accept_due, conclusion, conclude_due and evaluation; 2149-06-06 while not concluded',
    `rejected` Bool COMMENT '不予受理 recorded: the case\'s clocks stop (kept so that a new day moves an open case\'s clocks from its row)',
    INDEX `case_id_range` case_id TYPE minmax GRANULARITY 1
)
ENGINE = MergeTree
ORDER BY (toYYYYMM(active_until), responsible_unit, case_id)
COMMENT '办理: status and statutory clocks per petition, from events in any order, as of the last run';

CREATE TABLE IF NOT EXISTS `xfwatch`.`case_status_staging`
(
    `case_id` String COMMENT '信访件编号',
    `as_of` Date COMMENT 'status as of this day',
    `received_at` DateTime64(3, 'Asia/Shanghai') COMMENT '登记时间',
    `received_day` Date COMMENT 'day received',
    `responsible_unit` LowCardinality(String) COMMENT '责任单位',
    `unit_level` LowCardinality(String) COMMENT 'city|county|township of that unit',
    `county_code` LowCardinality(String) COMMENT 'county of origin',
    `origin_level` LowCardinality(String) COMMENT 'county|township|village: how precise origin_region is',
    `category` LowCardinality(String) COMMENT '问题类别',
    `status` LowCardinality(String) COMMENT 'registered|rejected|accepted|concluded|review|reviewed|rereview|rereviewed|terminated',
    `accepted_day` Nullable(Date) COMMENT '受理',
    `accept_due` Date COMMENT 'received_day + accept limit',
    `accepted_on_time` Bool COMMENT 'accepted by accept_due',
    `extended` Bool COMMENT '延期',
    `concluded_day` Nullable(Date) COMMENT '办结 (first conclusion)',
    `conclude_due` Nullable(Date) COMMENT 'accepted_day + conclude limit (+ extension)',
    `concluded_on_time` Bool COMMENT 'concluded by conclude_due',
    `concluding_unit_level` LowCardinality(String) COMMENT 'level of the unit that concluded it',
    `result` LowCardinality(String) COMMENT 'upheld|partial|rejected',
    `review_requested_day` Nullable(Date) COMMENT '申请复查',
    `review_request_in_time` Bool COMMENT 'requested within the review-request limit after conclusion',
    `reviewed_day` Nullable(Date) COMMENT '复查办结',
    `reviewed_on_time` Bool COMMENT '复查 concluded within its limit',
    `rereview_requested_day` Nullable(Date) COMMENT '申请复核',
    `rereviewed_day` Nullable(Date) COMMENT '复核办结',
    `terminated` Bool COMMENT '终结',
    `satisfaction` LowCardinality(String) COMMENT 'satisfied|basic|unsatisfied, latest evaluation',
    `first_resolution` Bool COMMENT '首办终结: concluded, no review requested within the limit, the limit has passed',
    `open_days` UInt32 COMMENT 'days from received to conclusion, or to as_of if open',
    `overdue` Bool COMMENT 'open past its deadline as of as_of',
    `backlog` Bool COMMENT '积案: overdue or open more than the backlog age',
    `local_resolution` Bool COMMENT '小事不出村、大事不出乡: village/township origin, concluded at township level or below, never escalated',
    `evaluated_months` Array(Date) COMMENT 'months with an evaluation (满意度评价), in order',
    `evaluated_satisfaction` Array(LowCardinality(String)) COMMENT 'the latest evaluation of each of those months',
    `active_until` Date COMMENT 'the last day a month\'s 办理 rates can count the case: the latest of accept_due, conclusion, conclude_due and evaluation; 2149-06-06 while not concluded',
    `rejected` Bool COMMENT '不予受理 recorded: the case\'s clocks stop (kept so that a new day moves an open case\'s clocks from its row)',
    INDEX `case_id_range` case_id TYPE minmax GRANULARITY 1
)
ENGINE = MergeTree
ORDER BY (toYYYYMM(active_until), responsible_unit, case_id)
COMMENT '办理: status and statutory clocks per petition, from events in any order, as of the last run';

CREATE TABLE IF NOT EXISTS `xfwatch`.`unit_monthly`
(
    `month` Date COMMENT 'first day of the month',
    `unit` LowCardinality(String) COMMENT 'unit code',
    `received` UInt32 COMMENT 'petitions received',
    `accept_due` UInt32 COMMENT 'petitions whose accept deadline fell in the month',
    `accepted_on_time` UInt32 COMMENT 'of them accepted in time',
    `accept_on_time_rate` Float64 COMMENT '按期受理率 = accepted_on_time / accept_due',
    `conclude_due` UInt32 COMMENT 'accepted petitions whose conclude deadline fell in the month',
    `concluded_on_time` UInt32 COMMENT 'of them concluded in time',
    `conclude_on_time_rate` Float64 COMMENT '按期办结率 = concluded_on_time / conclude_due',
    `concluded` UInt32 COMMENT 'petitions concluded in the month',
    `first_resolved` UInt32 COMMENT 'of them with no review requested in the limit (limit passed)',
    `first_resolution_rate` Float64 COMMENT '首办终结率 = first_resolved / concluded whose review limit has passed',
    `review_requested` UInt32 COMMENT 'of the month\'s concluded, review requested',
    `review_rate` Float64 COMMENT '复查率 = review_requested / concluded',
    `evaluated` UInt32 COMMENT 'evaluations in the month',
    `satisfied` UInt32 COMMENT '满意',
    `basic` UInt32 COMMENT '基本满意',
    `satisfaction_rate` Float64 COMMENT '满意率 = (satisfied + basic) / evaluated',
    `backlog_start` UInt32 COMMENT '积案 at the start of the month',
    `backlog_end` UInt32 COMMENT '积案 at the end of the month',
    `backlog_cleared` UInt32 COMMENT 'of backlog_start, concluded during the month',
    `clearance_rate` Float64 COMMENT '积案化解率 = backlog_cleared / backlog_start',
    `local_candidates` UInt32 COMMENT 'concluded in the month with village/township origin',
    `local_resolved` UInt32 COMMENT 'of them resolved locally',
    `local_resolution_share` Float64 COMMENT 'local_resolved / local_candidates',
    `hotline_orders` UInt32 COMMENT '12345 orders assigned',
    `hotline_contacted_24h` UInt32 COMMENT 'contacted within 24 hours',
    `hotline_response_rate` Float64 COMMENT '响应率 = contacted within 24 h / orders',
    `hotline_concluded` UInt32 COMMENT 'orders concluded',
    `hotline_resolved` UInt32 COMMENT 'of them resolved',
    `hotline_resolution_rate` Float64 COMMENT '解决率 = resolved / concluded',
    `hotline_evaluated` UInt32 COMMENT 'orders evaluated',
    `hotline_satisfaction_rate` Float64 COMMENT '满意率 = (satisfied + w × basic) / evaluated, w = 0.9 by default'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(month)
ORDER BY (unit, month)
COMMENT '办理 rates per unit and month (definitions in docs/INDICATORS.md)';

CREATE TABLE IF NOT EXISTS `xfwatch`.`unit_monthly_staging`
(
    `month` Date COMMENT 'first day of the month',
    `unit` LowCardinality(String) COMMENT 'unit code',
    `received` UInt32 COMMENT 'petitions received',
    `accept_due` UInt32 COMMENT 'petitions whose accept deadline fell in the month',
    `accepted_on_time` UInt32 COMMENT 'of them accepted in time',
    `accept_on_time_rate` Float64 COMMENT '按期受理率 = accepted_on_time / accept_due',
    `conclude_due` UInt32 COMMENT 'accepted petitions whose conclude deadline fell in the month',
    `concluded_on_time` UInt32 COMMENT 'of them concluded in time',
    `conclude_on_time_rate` Float64 COMMENT '按期办结率 = concluded_on_time / conclude_due',
    `concluded` UInt32 COMMENT 'petitions concluded in the month',
    `first_resolved` UInt32 COMMENT 'of them with no review requested in the limit (limit passed)',
    `first_resolution_rate` Float64 COMMENT '首办终结率 = first_resolved / concluded whose review limit has passed',
    `review_requested` UInt32 COMMENT 'of the month\'s concluded, review requested',
    `review_rate` Float64 COMMENT '复查率 = review_requested / concluded',
    `evaluated` UInt32 COMMENT 'evaluations in the month',
    `satisfied` UInt32 COMMENT '满意',
    `basic` UInt32 COMMENT '基本满意',
    `satisfaction_rate` Float64 COMMENT '满意率 = (satisfied + basic) / evaluated',
    `backlog_start` UInt32 COMMENT '积案 at the start of the month',
    `backlog_end` UInt32 COMMENT '积案 at the end of the month',
    `backlog_cleared` UInt32 COMMENT 'of backlog_start, concluded during the month',
    `clearance_rate` Float64 COMMENT '积案化解率 = backlog_cleared / backlog_start',
    `local_candidates` UInt32 COMMENT 'concluded in the month with village/township origin',
    `local_resolved` UInt32 COMMENT 'of them resolved locally',
    `local_resolution_share` Float64 COMMENT 'local_resolved / local_candidates',
    `hotline_orders` UInt32 COMMENT '12345 orders assigned',
    `hotline_contacted_24h` UInt32 COMMENT 'contacted within 24 hours',
    `hotline_response_rate` Float64 COMMENT '响应率 = contacted within 24 h / orders',
    `hotline_concluded` UInt32 COMMENT 'orders concluded',
    `hotline_resolved` UInt32 COMMENT 'of them resolved',
    `hotline_resolution_rate` Float64 COMMENT '解决率 = resolved / concluded',
    `hotline_evaluated` UInt32 COMMENT 'orders evaluated',
    `hotline_satisfaction_rate` Float64 COMMENT '满意率 = (satisfied + w × basic) / evaluated, w = 0.9 by default'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(month)
ORDER BY (unit, month)
COMMENT '办理 rates per unit and month (definitions in docs/INDICATORS.md)';

CREATE TABLE IF NOT EXISTS `xfwatch`.`zero_report_compliance`
(
    `day` Date COMMENT 'the day',
    `unit` LowCardinality(String) COMMENT 'unit code',
    `county_code` LowCardinality(String) COMMENT 'county of the unit',
    `period` String COMMENT 'sensitive period',
    `filed` Bool COMMENT 'a report for the day exists',
    `late` Bool COMMENT 'filed after the day ended',
    `incidents` UInt32 COMMENT 'incidents reported (0 = 零报告)'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (unit, day)
COMMENT '零报告: per unit and day of a sensitive period, whether the required report was filed';

CREATE TABLE IF NOT EXISTS `xfwatch`.`zero_report_compliance_staging`
(
    `day` Date COMMENT 'the day',
    `unit` LowCardinality(String) COMMENT 'unit code',
    `county_code` LowCardinality(String) COMMENT 'county of the unit',
    `period` String COMMENT 'sensitive period',
    `filed` Bool COMMENT 'a report for the day exists',
    `late` Bool COMMENT 'filed after the day ended',
    `incidents` UInt32 COMMENT 'incidents reported (0 = 零报告)'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (unit, day)
COMMENT '零报告: per unit and day of a sensitive period, whether the required report was filed';

CREATE TABLE IF NOT EXISTS `xfwatch`.`transform_runs`
(
    `run_id` String COMMENT 'run id',
    `group` LowCardinality(String) COMMENT 'transform group',
    `transform` LowCardinality(String) COMMENT 'transform',
    `window_from` Date COMMENT 'first day recomputed',
    `window_to` Date COMMENT 'last day recomputed',
    `scheduled_for` DateTime64(3, 'Asia/Shanghai') COMMENT 'the aligned tick',
    `started_at` DateTime64(3, 'Asia/Shanghai') COMMENT 'start',
    `finished_at` DateTime64(3, 'Asia/Shanghai') COMMENT 'end',
    `rows` UInt64 COMMENT 'rows written',
    `missed_runs` UInt32 COMMENT 'ticks skipped before this run',
    `error` String COMMENT 'empty when it worked'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(started_at)
ORDER BY (started_at, group, transform)
COMMENT 'one row per transform run: window, timing, rows, error';

CREATE TABLE IF NOT EXISTS `xfwatch`.`alerts`
(
    `alert_id` String COMMENT 'alert id',
    `rule` LowCardinality(String) COMMENT 'rule name',
    `severity` LowCardinality(String) COMMENT 'red|orange|yellow|blue (红/橙/黄/蓝)',
    `status` LowCardinality(String) COMMENT 'firing|acknowledged|resolved',
    `region` LowCardinality(String) COMMENT 'county or township code, or the city',
    `category` LowCardinality(String) COMMENT '问题类别, if any',
    `unit` LowCardinality(String) COMMENT 'unit code, if any',
    `title` String COMMENT 'headline, Chinese',
    `summary` String COMMENT 'one sentence: what and why',
    `value` Float64 COMMENT 'the number that crossed the threshold',
    `threshold` Float64 COMMENT 'the threshold, after the sensitive-period factor',
    `evidence` String COMMENT 'JSON: the numbers and the series behind the alert',
    `dedup_key` String COMMENT 'a condition that stays true keeps one alert under this key',
    `group_key` String COMMENT 'notifications group alerts by rule and region',
    `inhibited_by` String COMMENT 'alert id that suppresses this one\'s notifications, or empty',
    `member` String COMMENT 'hashed person the alert is about, for inhibition only; never shown or notified',
    `first_seen` DateTime64(3, 'Asia/Shanghai') COMMENT 'when the condition was first met',
    `last_seen` DateTime64(3, 'Asia/Shanghai') COMMENT 'when it was last met',
    `acknowledged_by` String COMMENT 'who acknowledged',
    `acknowledged_at` Nullable(DateTime64(3, 'Asia/Shanghai')) COMMENT 'when',
    `assigned_to` String COMMENT 'duty officer assigned',
    `resolved_by` String COMMENT 'who resolved (system when the condition cleared)',
    `resolved_at` Nullable(DateTime64(3, 'Asia/Shanghai')) COMMENT 'when',
    `comment` String COMMENT 'latest comment',
    `last_notified_at` Nullable(DateTime64(3, 'Asia/Shanghai')) COMMENT 'last notification queued',
    `notify_count` UInt32 COMMENT 'notifications queued so far',
    `version` UInt64 COMMENT 'row version (microseconds)'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY alert_id
COMMENT '预警: one row per alert (newest version; read with FINAL)';

CREATE TABLE IF NOT EXISTS `xfwatch`.`alert_log`
(
    `at` DateTime64(3, 'Asia/Shanghai') COMMENT 'when',
    `alert_id` String COMMENT 'alert',
    `rule` LowCardinality(String) COMMENT 'rule',
    `action` LowCardinality(String) COMMENT 'fire|escalate|acknowledge|assign|resolve|auto_resolve|notify|reopen',
    `actor` String COMMENT 'user, or system',
    `status` LowCardinality(String) COMMENT 'status after the step',
    `comment` String COMMENT 'comment'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (alert_id, at)
COMMENT 'append-only history of every alert step: fired, escalated, acknowledged, assigned, resolved, notified';

CREATE TABLE IF NOT EXISTS `xfwatch`.`alert_outbox`
(
    `notification_id` String COMMENT 'idempotency key sent with the delivery',
    `receiver` LowCardinality(String) COMMENT 'receiver name',
    `receiver_type` LowCardinality(String) COMMENT 'webhook|dingtalk|wecom|log',
    `group_key` String COMMENT 'rule and region',
    `alert_ids` Array(String) COMMENT 'alerts in the notification',
    `severity` LowCardinality(String) COMMENT 'highest severity in it',
    `payload` String COMMENT 'the request body as sent',
    `status` LowCardinality(String) COMMENT 'pending|delivered',
    `attempts` UInt32 COMMENT 'delivery attempts',
    `created_at` DateTime64(3, 'Asia/Shanghai') COMMENT 'queued',
    `next_attempt_at` DateTime64(3, 'Asia/Shanghai') COMMENT 'not before',
    `delivered_at` Nullable(DateTime64(3, 'Asia/Shanghai')) COMMENT 'receiver answered success',
    `last_error` String COMMENT 'last failure',
    `version` UInt64 COMMENT 'row version (microseconds)'
)
ENGINE = ReplacingMergeTree(version)
ORDER BY notification_id
COMMENT 'notifications to deliver: one row per notification and receiver (newest version; read with FINAL)';

ALTER TABLE `xfwatch`.`repeat_monthly` ADD COLUMN IF NOT EXISTS `collective` UInt32 COMMENT '集体访 (headcount >= 5) among the petitions', ADD COLUMN IF NOT EXISTS `people` UInt32 COMMENT 'people involved (sum of headcount)';

ALTER TABLE `xfwatch`.`repeat_monthly_staging` ADD COLUMN IF NOT EXISTS `collective` UInt32 COMMENT '集体访 (headcount >= 5) among the petitions', ADD COLUMN IF NOT EXISTS `people` UInt32 COMMENT 'people involved (sum of headcount)';

CREATE TABLE IF NOT EXISTS `xfwatch`.`assessment_scores`
(
    `year` UInt16 COMMENT 'assessment year',
    `month` UInt8 COMMENT '0 for the annual score, else the month of a monthly score',
    `unit` LowCardinality(String) COMMENT 'assessed unit: a county government (its county\'s units together) or a city department',
    `unit_name` String COMMENT 'its name',
    `rubric_version` LowCardinality(String) COMMENT 'the rubric the score used',
    `score` Float64 COMMENT '0-100: points over the assessed criteria, scaled to 100, minus deductions; NaN when nothing was assessed',
    `score_low` Float64 COMMENT 'lower end of the 90% interval',
    `score_high` Float64 COMMENT 'upper end of the 90% interval',
    `rank` UInt16 COMMENT '1 = best',
    `rank_best` UInt16 COMMENT 'best rank the interval allows',
    `rank_worst` UInt16 COMMENT 'worst rank the interval allows',
    `deductions` Float64 COMMENT 'points deducted for 通报 and 一事一通报',
    `assessed_weight` Float64 COMMENT 'weight of the criteria with data',
    `met_target` Bool COMMENT '达标: score at or above the rubric\'s pass score, no 一事一通报',
    `criteria` String COMMENT 'JSON: each criterion\'s input counts, raw and shrunk value, interval, points, or not assessed',
    `computed_at` DateTime64(3, 'Asia/Shanghai') COMMENT 'when it was computed'
)
ENGINE = ReplacingMergeTree(computed_at)
PARTITION BY year
ORDER BY (year, month, unit, rubric_version)
COMMENT '考核 scores per unit and period (a year, or a month for 通报)';

CREATE TABLE IF NOT EXISTS `xfwatch`.`assessment_bulletins`
(
    `year` UInt16 COMMENT 'year',
    `month` UInt8 COMMENT 'month',
    `unit` LowCardinality(String) COMMENT 'unit named',
    `unit_name` String COMMENT 'its name',
    `reason` LowCardinality(String) COMMENT 'three_visits|bottom_score|backlog|one_event',
    `detail` String COMMENT 'what, in Chinese',
    `case_id` String COMMENT 'the case of a 一事一通报 item, else empty',
    `written_review` Bool COMMENT '书面检查 required: named this month and the month before',
    `rubric_version` LowCardinality(String) COMMENT 'rubric',
    `computed_at` DateTime64(3, 'Asia/Shanghai') COMMENT 'when it was computed'
)
ENGINE = ReplacingMergeTree(computed_at)
PARTITION BY year
ORDER BY (year, month, unit, reason, case_id)
COMMENT '月通报: units named in a month, and 一事一通报 items';

CREATE TABLE IF NOT EXISTS `xfwatch`.`daily_counts`
(
    `day` Date COMMENT 'the day received',
    `region` LowCardinality(String) COMMENT 'county or township code',
    `category` LowCardinality(String) COMMENT '问题类别',
    `source` LowCardinality(String) COMMENT 'petitions, hotline or people (sum of headcount)',
    `n` UInt32 COMMENT 'count on the day'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (region, category, source, day)
COMMENT 'records per day, county and township × category and source: what the hotspot transforms read instead of the record tables';

CREATE TABLE IF NOT EXISTS `xfwatch`.`daily_counts_staging`
(
    `day` Date COMMENT 'the day received',
    `region` LowCardinality(String) COMMENT 'county or township code',
    `category` LowCardinality(String) COMMENT '问题类别',
    `source` LowCardinality(String) COMMENT 'petitions, hotline or people (sum of headcount)',
    `n` UInt32 COMMENT 'count on the day'
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (region, category, source, day)
COMMENT 'records per day, county and township × category and source: what the hotspot transforms read instead of the record tables';

CREATE TABLE IF NOT EXISTS `xfwatch`.`transform_state`
(
    `transform` LowCardinality(String) COMMENT 'transform (its table)',
    `as_of` Date COMMENT 'the day the table\'s rows are computed as of',
    `watermark` DateTime64(3, 'Asia/Shanghai') COMMENT 'engine time when the run began: records with a later ingested_at may be missing',
    `fingerprint` String COMMENT 'hash of the SQL and parameters: a change forces a full run',
    `updated_at` DateTime64(3, 'Asia/Shanghai') COMMENT 'when the run finished'
)
ENGINE = MergeTree
ORDER BY (transform, updated_at)
COMMENT 'what an incremental transform\'s table reflects: records stored up to a watermark, as of a day';

CREATE TABLE IF NOT EXISTS `xfwatch`.`transform_dirty`
(
    `key` String COMMENT 'row key'
)
ENGINE = MergeTree
ORDER BY key
COMMENT 'keys (case_id, petitioner_key) an incremental run recomputes; emptied by each run';

ALTER TABLE `xfwatch`.`daily_counts` MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1;

ALTER TABLE `xfwatch`.`daily_counts_staging` MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1;

ALTER TABLE `xfwatch`.`petition_flags` MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1;

ALTER TABLE `xfwatch`.`petition_flags_staging` MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1;

ALTER TABLE `xfwatch`.`key_history` MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1;

ALTER TABLE `xfwatch`.`key_history_staging` MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1;

ALTER TABLE `xfwatch`.`case_status` MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1;

ALTER TABLE `xfwatch`.`case_status_staging` MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1;

ALTER TABLE `xfwatch`.`petition_flags` DROP COLUMN IF EXISTS `petitioner_key`;

ALTER TABLE `xfwatch`.`petition_flags_staging` DROP COLUMN IF EXISTS `petitioner_key`;

ALTER TABLE `xfwatch`.`audit_log` MODIFY SETTING non_replicated_deduplication_window = 10000;

ALTER TABLE `xfwatch`.`petitions` ADD COLUMN IF NOT EXISTS `key_hash` UInt64 MATERIALIZED cityHash64(petitioner_key) COMMENT 'cityHash64(petitioner_key), computed by the engine: the transforms find a key\'s petitions by it';

ALTER TABLE `xfwatch`.`petitions` MATERIALIZE COLUMN `key_hash`;

CREATE TABLE IF NOT EXISTS `xfwatch`.`weekly_counts`
(
    `week` Date COMMENT 'the Monday the week begins',
    `region` LowCardinality(String) COMMENT 'county or township code',
    `category` LowCardinality(String) COMMENT '问题类别',
    `source` LowCardinality(String) COMMENT 'petitions, hotline or people (sum of headcount)',
    `n` UInt32 COMMENT 'count in the week'
)
ENGINE = MergeTree
PARTITION BY toYear(week)
ORDER BY (region, category, source, week)
COMMENT 'daily_counts summed by week (Monday): what hotspot_weekly reads for its year-ago expectations and CUSUM run-in';

CREATE TABLE IF NOT EXISTS `xfwatch`.`weekly_counts_staging`
(
    `week` Date COMMENT 'the Monday the week begins',
    `region` LowCardinality(String) COMMENT 'county or township code',
    `category` LowCardinality(String) COMMENT '问题类别',
    `source` LowCardinality(String) COMMENT 'petitions, hotline or people (sum of headcount)',
    `n` UInt32 COMMENT 'count in the week'
)
ENGINE = MergeTree
PARTITION BY toYear(week)
ORDER BY (region, category, source, week)
COMMENT 'daily_counts summed by week (Monday): what hotspot_weekly reads for its year-ago expectations and CUSUM run-in';

ALTER TABLE `xfwatch`.`weekly_counts` MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1;

ALTER TABLE `xfwatch`.`weekly_counts_staging` MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1;

DROP TABLE IF EXISTS `xfwatch`.`case_status_rebuilt`;

CREATE TABLE IF NOT EXISTS `xfwatch`.`case_status_rebuilt`
(
    `case_id` String COMMENT '信访件编号',
    `as_of` Date COMMENT 'status as of this day',
    `received_at` DateTime64(3, 'Asia/Shanghai') COMMENT '登记时间',
    `received_day` Date COMMENT 'day received',
    `responsible_unit` LowCardinality(String) COMMENT '责任单位',
    `unit_level` LowCardinality(String) COMMENT 'city|county|township of that unit',
    `county_code` LowCardinality(String) COMMENT 'county of origin',
    `origin_level` LowCardinality(String) COMMENT 'county|township|village: how precise origin_region is',
    `category` LowCardinality(String) COMMENT '问题类别',
    `status` LowCardinality(String) COMMENT 'registered|rejected|accepted|concluded|review|reviewed|rereview|rereviewed|terminated',
    `accepted_day` Nullable(Date) COMMENT '受理',
    `accept_due` Date COMMENT 'received_day + accept limit',
    `accepted_on_time` Bool COMMENT 'accepted by accept_due',
    `extended` Bool COMMENT '延期',
    `concluded_day` Nullable(Date) COMMENT '办结 (first conclusion)',
    `conclude_due` Nullable(Date) COMMENT 'accepted_day + conclude limit (+ extension)',
    `concluded_on_time` Bool COMMENT 'concluded by conclude_due',
    `concluding_unit_level` LowCardinality(String) COMMENT 'level of the unit that concluded it',
    `result` LowCardinality(String) COMMENT 'upheld|partial|rejected',
    `review_requested_day` Nullable(Date) COMMENT '申请复查',
    `review_request_in_time` Bool COMMENT 'requested within the review-request limit after conclusion',
    `reviewed_day` Nullable(Date) COMMENT '复查办结',
    `reviewed_on_time` Bool COMMENT '复查 concluded within its limit',
    `rereview_requested_day` Nullable(Date) COMMENT '申请复核',
    `rereviewed_day` Nullable(Date) COMMENT '复核办结',
    `terminated` Bool COMMENT '终结',
    `satisfaction` LowCardinality(String) COMMENT 'satisfied|basic|unsatisfied, latest evaluation',
    `first_resolution` Bool COMMENT '首办终结: concluded, no review requested within the limit, the limit has passed',
    `open_days` UInt32 COMMENT 'days from received to conclusion, or to as_of if open',
    `overdue` Bool COMMENT 'open past its deadline as of as_of',
    `backlog` Bool COMMENT '积案: overdue or open more than the backlog age',
    `local_resolution` Bool COMMENT '小事不出村、大事不出乡: village/township origin, concluded at township level or below, never escalated',
    `evaluated_months` Array(Date) COMMENT 'months with an evaluation (满意度评价), in order',
    `evaluated_satisfaction` Array(LowCardinality(String)) COMMENT 'the latest evaluation of each of those months',
    `active_until` Date COMMENT 'the last day a month\'s 办理 rates can count the case: the latest of accept_due, conclusion, conclude_due and evaluation; 2149-06-06 while not concluded',
    `rejected` Bool COMMENT '不予受理 recorded: the case\'s clocks stop (kept so that a new day moves an open case\'s clocks from its row)',
    INDEX `case_id_range` case_id TYPE minmax GRANULARITY 1
)
ENGINE = MergeTree
ORDER BY (toYYYYMM(active_until), responsible_unit, case_id)
COMMENT '办理: status and statutory clocks per petition, from events in any order, as of the last run';

INSERT INTO `xfwatch`.`case_status_rebuilt` (`case_id`, `as_of`, `received_at`, `received_day`, `responsible_unit`, `unit_level`, `county_code`, `origin_level`, `category`, `status`, `accepted_day`, `accept_due`, `accepted_on_time`, `extended`, `concluded_day`, `conclude_due`, `concluded_on_time`, `concluding_unit_level`, `result`, `review_requested_day`, `review_request_in_time`, `reviewed_day`, `reviewed_on_time`, `rereview_requested_day`, `rereviewed_day`, `terminated`, `satisfaction`, `first_resolution`, `open_days`, `overdue`, `backlog`, `local_resolution`, `evaluated_months`, `evaluated_satisfaction`, `active_until`, `rejected`) SELECT `case_id`, `as_of`, `received_at`, `received_day`, `responsible_unit`, `unit_level`, `county_code`, `origin_level`, `category`, `status`, `accepted_day`, `accept_due`, `accepted_on_time`, `extended`, `concluded_day`, `conclude_due`, `concluded_on_time`, `concluding_unit_level`, `result`, `review_requested_day`, `review_request_in_time`, `reviewed_day`, `reviewed_on_time`, `rereview_requested_day`, `rereviewed_day`, `terminated`, `satisfaction`, `first_resolution`, `open_days`, `overdue`, `backlog`, `local_resolution`, [], [], toDate('2149-06-06'), false FROM `xfwatch`.`case_status`;

EXCHANGE TABLES `xfwatch`.`case_status_rebuilt` AND `xfwatch`.`case_status`;

DROP TABLE IF EXISTS `xfwatch`.`case_status_rebuilt`;

DROP TABLE IF EXISTS `xfwatch`.`case_status_staging_rebuilt`;

CREATE TABLE IF NOT EXISTS `xfwatch`.`case_status_staging_rebuilt`
(
    `case_id` String COMMENT '信访件编号',
    `as_of` Date COMMENT 'status as of this day',
    `received_at` DateTime64(3, 'Asia/Shanghai') COMMENT '登记时间',
    `received_day` Date COMMENT 'day received',
    `responsible_unit` LowCardinality(String) COMMENT '责任单位',
    `unit_level` LowCardinality(String) COMMENT 'city|county|township of that unit',
    `county_code` LowCardinality(String) COMMENT 'county of origin',
    `origin_level` LowCardinality(String) COMMENT 'county|township|village: how precise origin_region is',
    `category` LowCardinality(String) COMMENT '问题类别',
    `status` LowCardinality(String) COMMENT 'registered|rejected|accepted|concluded|review|reviewed|rereview|rereviewed|terminated',
    `accepted_day` Nullable(Date) COMMENT '受理',
    `accept_due` Date COMMENT 'received_day + accept limit',
    `accepted_on_time` Bool COMMENT 'accepted by accept_due',
    `extended` Bool COMMENT '延期',
    `concluded_day` Nullable(Date) COMMENT '办结 (first conclusion)',
    `conclude_due` Nullable(Date) COMMENT 'accepted_day + conclude limit (+ extension)',
    `concluded_on_time` Bool COMMENT 'concluded by conclude_due',
    `concluding_unit_level` LowCardinality(String) COMMENT 'level of the unit that concluded it',
    `result` LowCardinality(String) COMMENT 'upheld|partial|rejected',
    `review_requested_day` Nullable(Date) COMMENT '申请复查',
    `review_request_in_time` Bool COMMENT 'requested within the review-request limit after conclusion',
    `reviewed_day` Nullable(Date) COMMENT '复查办结',
    `reviewed_on_time` Bool COMMENT '复查 concluded within its limit',
    `rereview_requested_day` Nullable(Date) COMMENT '申请复核',
    `rereviewed_day` Nullable(Date) COMMENT '复核办结',
    `terminated` Bool COMMENT '终结',
    `satisfaction` LowCardinality(String) COMMENT 'satisfied|basic|unsatisfied, latest evaluation',
    `first_resolution` Bool COMMENT '首办终结: concluded, no review requested within the limit, the limit has passed',
    `open_days` UInt32 COMMENT 'days from received to conclusion, or to as_of if open',
    `overdue` Bool COMMENT 'open past its deadline as of as_of',
    `backlog` Bool COMMENT '积案: overdue or open more than the backlog age',
    `local_resolution` Bool COMMENT '小事不出村、大事不出乡: village/township origin, concluded at township level or below, never escalated',
    `evaluated_months` Array(Date) COMMENT 'months with an evaluation (满意度评价), in order',
    `evaluated_satisfaction` Array(LowCardinality(String)) COMMENT 'the latest evaluation of each of those months',
    `active_until` Date COMMENT 'the last day a month\'s 办理 rates can count the case: the latest of accept_due, conclusion, conclude_due and evaluation; 2149-06-06 while not concluded',
    `rejected` Bool COMMENT '不予受理 recorded: the case\'s clocks stop (kept so that a new day moves an open case\'s clocks from its row)',
    INDEX `case_id_range` case_id TYPE minmax GRANULARITY 1
)
ENGINE = MergeTree
ORDER BY (toYYYYMM(active_until), responsible_unit, case_id)
COMMENT '办理: status and statutory clocks per petition, from events in any order, as of the last run';

INSERT INTO `xfwatch`.`case_status_staging_rebuilt` (`case_id`, `as_of`, `received_at`, `received_day`, `responsible_unit`, `unit_level`, `county_code`, `origin_level`, `category`, `status`, `accepted_day`, `accept_due`, `accepted_on_time`, `extended`, `concluded_day`, `conclude_due`, `concluded_on_time`, `concluding_unit_level`, `result`, `review_requested_day`, `review_request_in_time`, `reviewed_day`, `reviewed_on_time`, `rereview_requested_day`, `rereviewed_day`, `terminated`, `satisfaction`, `first_resolution`, `open_days`, `overdue`, `backlog`, `local_resolution`, `evaluated_months`, `evaluated_satisfaction`, `active_until`, `rejected`) SELECT `case_id`, `as_of`, `received_at`, `received_day`, `responsible_unit`, `unit_level`, `county_code`, `origin_level`, `category`, `status`, `accepted_day`, `accept_due`, `accepted_on_time`, `extended`, `concluded_day`, `conclude_due`, `concluded_on_time`, `concluding_unit_level`, `result`, `review_requested_day`, `review_request_in_time`, `reviewed_day`, `reviewed_on_time`, `rereview_requested_day`, `rereviewed_day`, `terminated`, `satisfaction`, `first_resolution`, `open_days`, `overdue`, `backlog`, `local_resolution`, [], [], toDate('2149-06-06'), false FROM `xfwatch`.`case_status_staging`;

EXCHANGE TABLES `xfwatch`.`case_status_staging_rebuilt` AND `xfwatch`.`case_status_staging`;

DROP TABLE IF EXISTS `xfwatch`.`case_status_staging_rebuilt`;

ALTER TABLE `xfwatch`.`case_status` MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1;

ALTER TABLE `xfwatch`.`case_status_staging` MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1;

INSERT INTO `xfwatch`.`transform_state` (transform, as_of, watermark, fingerprint, updated_at) SELECT 'case_status', today(), fromUnixTimestamp64Milli(0), '', now64(3);

ALTER TABLE `xfwatch`.`hotspot_daily` MODIFY COMMENT '热点: daily counts per county and township × category, EARS C1/C2/C3, risk';

ALTER TABLE `xfwatch`.`hotspot_daily_staging` MODIFY COMMENT '热点: daily counts per county and township × category, EARS C1/C2/C3, risk';

ALTER TABLE `xfwatch`.`hotspot_weekly` MODIFY COMMENT '热点: weekly counts with a seasonal Poisson CUSUM';

ALTER TABLE `xfwatch`.`hotspot_weekly_staging` MODIFY COMMENT '热点: weekly counts with a seasonal Poisson CUSUM';

ALTER TABLE `xfwatch`.`risk_daily` MODIFY COMMENT 'risk score 0-100 per region × category cell and day, with its parts (see docs/INDICATORS.md)';

ALTER TABLE `xfwatch`.`risk_daily_staging` MODIFY COMMENT 'risk score 0-100 per region × category cell and day, with its parts (see docs/INDICATORS.md)';

ALTER TABLE `xfwatch`.`petition_flags` MODIFY COMMENT 'per petition: 重复访, 越级访, 集体访, 三访 type, hotline escalation';

ALTER TABLE `xfwatch`.`petition_flags_staging` MODIFY COMMENT 'per petition: 重复访, 越级访, 集体访, 三访 type, hotline escalation';

ALTER TABLE `xfwatch`.`repeat_monthly` MODIFY COMMENT '重复访 rate per region × month';

ALTER TABLE `xfwatch`.`repeat_monthly_staging` MODIFY COMMENT '重复访 rate per region × month';

ALTER TABLE `xfwatch`.`three_visits_monthly` MODIFY COMMENT '三访 per county and month, with the same month a year earlier';

ALTER TABLE `xfwatch`.`three_visits_monthly_staging` MODIFY COMMENT '三访 per county and month, with the same month a year earlier';

ALTER TABLE `xfwatch`.`key_history` MODIFY COMMENT 'per petitioner key, as of the last run: visits in 30/90/365 days, highest level reached';

ALTER TABLE `xfwatch`.`key_history_staging` MODIFY COMMENT 'per petitioner key, as of the last run: visits in 30/90/365 days, highest level reached';

ALTER TABLE `xfwatch`.`hotline_at_risk` MODIFY COMMENT 'callers at risk of escalating: >= 3 complaint/report orders in a category in 30 days, unresolved or unsatisfied';

ALTER TABLE `xfwatch`.`hotline_at_risk_staging` MODIFY COMMENT 'callers at risk of escalating: >= 3 complaint/report orders in a category in 30 days, unresolved or unsatisfied';

ALTER TABLE `xfwatch`.`case_status` MODIFY COMMENT '办理: status and statutory clocks per petition, from events in any order, as of the last run';

ALTER TABLE `xfwatch`.`case_status_staging` MODIFY COMMENT '办理: status and statutory clocks per petition, from events in any order, as of the last run';

ALTER TABLE `xfwatch`.`unit_monthly` MODIFY COMMENT '办理 rates per unit and month (definitions in docs/INDICATORS.md)';

ALTER TABLE `xfwatch`.`unit_monthly_staging` MODIFY COMMENT '办理 rates per unit and month (definitions in docs/INDICATORS.md)';

ALTER TABLE `xfwatch`.`zero_report_compliance` MODIFY COMMENT '零报告: per unit and day of a sensitive period, whether the required report was filed';

ALTER TABLE `xfwatch`.`zero_report_compliance_staging` MODIFY COMMENT '零报告: per unit and day of a sensitive period, whether the required report was filed';

ALTER TABLE `xfwatch`.`daily_counts` MODIFY COMMENT 'records per day, county and township × category and source: what the hotspot transforms read instead of the record tables';

ALTER TABLE `xfwatch`.`daily_counts_staging` MODIFY COMMENT 'records per day, county and township × category and source: what the hotspot transforms read instead of the record tables';

ALTER TABLE `xfwatch`.`weekly_counts` MODIFY COMMENT 'daily_counts summed by week (Monday): what hotspot_weekly reads for its year-ago expectations and CUSUM run-in';

ALTER TABLE `xfwatch`.`weekly_counts_staging` MODIFY COMMENT 'daily_counts summed by week (Monday): what hotspot_weekly reads for its year-ago expectations and CUSUM run-in';

ALTER TABLE `xfwatch`.`case_status` ADD COLUMN IF NOT EXISTS `rejected` Bool COMMENT '不予受理 recorded: the case\'s clocks stop (kept so that a new day moves an open case\'s clocks from its row)';

ALTER TABLE `xfwatch`.`case_status_staging` ADD COLUMN IF NOT EXISTS `rejected` Bool COMMENT '不予受理 recorded: the case\'s clocks stop (kept so that a new day moves an open case\'s clocks from its row)';

INSERT INTO `xfwatch`.`transform_state` (transform, as_of, watermark, fingerprint, updated_at) SELECT 'case_status', today(), fromUnixTimestamp64Milli(0), '', now64(3);

ALTER TABLE `xfwatch`.`petitions` ADD INDEX IF NOT EXISTS `case_id_range` case_id TYPE minmax GRANULARITY 1;

ALTER TABLE `xfwatch`.`petitions` MATERIALIZE INDEX `case_id_range`;

ALTER TABLE `xfwatch`.`petition_flags` ADD INDEX IF NOT EXISTS `case_id_range` case_id TYPE minmax GRANULARITY 1;

ALTER TABLE `xfwatch`.`petition_flags` MATERIALIZE INDEX `case_id_range`;

ALTER TABLE `xfwatch`.`petition_flags_staging` ADD INDEX IF NOT EXISTS `case_id_range` case_id TYPE minmax GRANULARITY 1;

ALTER TABLE `xfwatch`.`petition_flags_staging` MATERIALIZE INDEX `case_id_range`;

ALTER TABLE `xfwatch`.`case_status` ADD INDEX IF NOT EXISTS `case_id_range` case_id TYPE minmax GRANULARITY 1;

ALTER TABLE `xfwatch`.`case_status` MATERIALIZE INDEX `case_id_range`;

ALTER TABLE `xfwatch`.`case_status_staging` ADD INDEX IF NOT EXISTS `case_id_range` case_id TYPE minmax GRANULARITY 1;

ALTER TABLE `xfwatch`.`case_status_staging` MATERIALIZE INDEX `case_id_range`;

CREATE TABLE IF NOT EXISTS `xfwatch`.`hotline_status`
(
    `order_id` String COMMENT '工单编号',
    `month` Date COMMENT 'the month received (first day)',
    `received_at` DateTime64(3, 'Asia/Shanghai') COMMENT '受理时间',
    `assigned_unit` LowCardinality(String) COMMENT '承办单位',
    `contacted_24h` Bool COMMENT 'first contacted within 24 hours of receipt',
    `concluded` Bool COMMENT '办结 recorded',
    `result` LowCardinality(String) COMMENT 'resolved|unresolved: the latest conclusion\'s',
    `satisfaction` LowCardinality(String) COMMENT 'satisfied|basic|unsatisfied: the latest evaluation, empty if none'
)
ENGINE = MergeTree
ORDER BY (month, order_id)
COMMENT '办理 of each 12345 order as unit_monthly\'s hotline rates count it: its events from the start of its month to 60 days after the month\'s end';

CREATE TABLE IF NOT EXISTS `xfwatch`.`hotline_status_staging`
(
    `order_id` String COMMENT '工单编号',
    `month` Date COMMENT 'the month received (first day)',
    `received_at` DateTime64(3, 'Asia/Shanghai') COMMENT '受理时间',
    `assigned_unit` LowCardinality(String) COMMENT '承办单位',
    `contacted_24h` Bool COMMENT 'first contacted within 24 hours of receipt',
    `concluded` Bool COMMENT '办结 recorded',
    `result` LowCardinality(String) COMMENT 'resolved|unresolved: the latest conclusion\'s',
    `satisfaction` LowCardinality(String) COMMENT 'satisfied|basic|unsatisfied: the latest evaluation, empty if none'
)
ENGINE = MergeTree
ORDER BY (month, order_id)
COMMENT '办理 of each 12345 order as unit_monthly\'s hotline rates count it: its events from the start of its month to 60 days after the month\'s end';

ALTER TABLE `xfwatch`.`hotline_status` MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1;

ALTER TABLE `xfwatch`.`hotline_status_staging` MODIFY SETTING enable_block_number_column = 1, enable_block_offset_column = 1;

ALTER TABLE `xfwatch`.`hotline_orders` ADD INDEX IF NOT EXISTS `order_id_range` order_id TYPE minmax GRANULARITY 1;

ALTER TABLE `xfwatch`.`hotline_orders` MATERIALIZE INDEX `order_id_range`;

ALTER TABLE `xfwatch`.`petitions` ADD INDEX IF NOT EXISTS `ingested_at_range` ingested_at TYPE minmax GRANULARITY 1;

ALTER TABLE `xfwatch`.`petitions` MATERIALIZE INDEX `ingested_at_range`;

ALTER TABLE `xfwatch`.`hotline_orders` ADD INDEX IF NOT EXISTS `ingested_at_range` ingested_at TYPE minmax GRANULARITY 1;

ALTER TABLE `xfwatch`.`hotline_orders` MATERIALIZE INDEX `ingested_at_range`;

ALTER TABLE `xfwatch`.`events` ADD INDEX IF NOT EXISTS `ingested_at_range` ingested_at TYPE minmax GRANULARITY 1;

ALTER TABLE `xfwatch`.`events` MATERIALIZE INDEX `ingested_at_range`;

ALTER TABLE `xfwatch`.`hotline_orders` ADD COLUMN IF NOT EXISTS `key_hash` UInt64 MATERIALIZED cityHash64(caller_key) COMMENT 'cityHash64(caller_key), computed by the engine: the transforms find a key\'s orders by it';

ALTER TABLE `xfwatch`.`hotline_orders` MATERIALIZE COLUMN `key_hash`;

