CREATE DATABASE IF NOT EXISTS `xfwatch` ON CLUSTER `xf_cluster`;

CREATE TABLE IF NOT EXISTS `xfwatch`.`schema_migrations_local` ON CLUSTER `xf_cluster`
(
    `version` UInt32 COMMENT 'migration number',
    `name` String COMMENT 'what it does',
    `applied_at` DateTime64(3, 'Asia/Shanghai') COMMENT 'when'
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/xfwatch/schema_migrations_local', '{replica}')
ORDER BY version
COMMENT 'xfwatch schema versions applied';

CREATE TABLE IF NOT EXISTS `xfwatch`.`schema_migrations` ON CLUSTER `xf_cluster` AS `xfwatch`.`schema_migrations_local`
ENGINE = Distributed('xf_cluster', 'xfwatch', 'schema_migrations_local', rand());

CREATE TABLE IF NOT EXISTS `xfwatch`.`petitions_local` ON CLUSTER `xf_cluster`
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
    `key_kind` LowCardinality(String) COMMENT 'id|phone|weak: what the key was derived from',
    `responsible_unit` LowCardinality(String) COMMENT '责任单位 code',
    `subject` String COMMENT '事由, ID and phone numbers redacted',
    `has_content` Bool COMMENT 'free text kept in restricted_texts',
    `topic` LowCardinality(String) COMMENT 'Kafka topic the record was read from',
    `partition` Int32 COMMENT 'Kafka partition',
    `offset` Int64 COMMENT 'Kafka offset',
    `ingested_at` DateTime64(3, 'Asia/Shanghai') DEFAULT now64(3) COMMENT 'when ingest stored the row'
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/xfwatch/petitions_local', '{replica}')
PARTITION BY toYYYYMM(received_at)
ORDER BY (county_code, category, received_at, case_id)
COMMENT '信访件 registrations (xf.petitions), pseudonymised';

CREATE TABLE IF NOT EXISTS `xfwatch`.`petitions` ON CLUSTER `xf_cluster` AS `xfwatch`.`petitions_local`
ENGINE = Distributed('xf_cluster', 'xfwatch', 'petitions_local', cityHash64(petitioner_key));

CREATE TABLE IF NOT EXISTS `xfwatch`.`hotline_orders_local` ON CLUSTER `xf_cluster`
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
    `key_kind` LowCardinality(String) COMMENT 'id|phone|weak',
    `urgent` Bool COMMENT '紧急',
    `assigned_unit` LowCardinality(String) COMMENT '承办单位 code',
    `case_id` String COMMENT '信访件 this order became, empty if none',
    `subject` String COMMENT '事由, ID and phone numbers redacted',
    `has_content` Bool COMMENT 'free text kept in restricted_texts',
    `topic` LowCardinality(String) COMMENT 'Kafka topic the record was read from',
    `partition` Int32 COMMENT 'Kafka partition',
    `offset` Int64 COMMENT 'Kafka offset',
    `ingested_at` DateTime64(3, 'Asia/Shanghai') DEFAULT now64(3) COMMENT 'when ingest stored the row'
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/xfwatch/hotline_orders_local', '{replica}')
PARTITION BY toYYYYMM(received_at)
ORDER BY (county_code, category, received_at, order_id)
COMMENT '12345 work orders (xf.hotline), pseudonymised';

CREATE TABLE IF NOT EXISTS `xfwatch`.`hotline_orders` ON CLUSTER `xf_cluster` AS `xfwatch`.`hotline_orders_local`
ENGINE = Distributed('xf_cluster', 'xfwatch', 'hotline_orders_local', cityHash64(caller_key));

CREATE TABLE IF NOT EXISTS `xfwatch`.`events_local` ON CLUSTER `xf_cluster`
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
    `ingested_at` DateTime64(3, 'Asia/Shanghai') DEFAULT now64(3) COMMENT 'when ingest stored the row'
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/xfwatch/events_local', '{replica}')
PARTITION BY toYYYYMM(at)
ORDER BY (ref_kind, ref, at, event_id)
COMMENT 'handling events of petitions and orders (xf.events)';

CREATE TABLE IF NOT EXISTS `xfwatch`.`events` ON CLUSTER `xf_cluster` AS `xfwatch`.`events_local`
ENGINE = Distributed('xf_cluster', 'xfwatch', 'events_local', cityHash64(ref));

CREATE TABLE IF NOT EXISTS `xfwatch`.`unit_reports_local` ON CLUSTER `xf_cluster`
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
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/xfwatch/unit_reports_local', '{replica}')
PARTITION BY toYYYYMM(day)
ORDER BY (unit, day, report_id)
COMMENT 'daily unit reports and 零报告 (xf.unit-reports)';

CREATE TABLE IF NOT EXISTS `xfwatch`.`unit_reports` ON CLUSTER `xf_cluster` AS `xfwatch`.`unit_reports_local`
ENGINE = Distributed('xf_cluster', 'xfwatch', 'unit_reports_local', cityHash64(unit));

CREATE TABLE IF NOT EXISTS `xfwatch`.`restricted_texts_local` ON CLUSTER `xf_cluster`
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
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/xfwatch/restricted_texts_local', '{replica}')
PARTITION BY toYYYYMM(at)
ORDER BY (ref_kind, ref, field)
COMMENT 'free text (content, notes): only roles with case access may read it; ID and phone numbers redacted';

CREATE TABLE IF NOT EXISTS `xfwatch`.`restricted_texts` ON CLUSTER `xf_cluster` AS `xfwatch`.`restricted_texts_local`
ENGINE = Distributed('xf_cluster', 'xfwatch', 'restricted_texts_local', cityHash64(ref));

CREATE TABLE IF NOT EXISTS `xfwatch`.`regions_local` ON CLUSTER `xf_cluster`
(
    `code` String COMMENT '6-digit county or 9-digit township code',
    `name` String COMMENT 'name',
    `level` LowCardinality(String) COMMENT 'county|township',
    `parent` String COMMENT 'parent code (the city for a county)',
    `population` UInt32 COMMENT 'approximate residents, for per-10k rates',
    `county_code` LowCardinality(String) COMMENT 'the county it belongs to'
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/xfwatch/regions_local', '{replica}')
ORDER BY code
COMMENT '行政区划: counties and townships of the city';

CREATE TABLE IF NOT EXISTS `xfwatch`.`regions` ON CLUSTER `xf_cluster` AS `xfwatch`.`regions_local`
ENGINE = Distributed('xf_cluster', 'xfwatch', 'regions_local', rand());

CREATE TABLE IF NOT EXISTS `xfwatch`.`region_villages_local` ON CLUSTER `xf_cluster`
(
    `code` String COMMENT '12-digit village code',
    `name` String COMMENT 'name',
    `township_code` LowCardinality(String) COMMENT '9-digit township',
    `county_code` LowCardinality(String) COMMENT '6-digit county'
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/xfwatch/region_villages_local', '{replica}')
ORDER BY code
COMMENT '村/社区 codes (12 digits), valid as origin_region';

CREATE TABLE IF NOT EXISTS `xfwatch`.`region_villages` ON CLUSTER `xf_cluster` AS `xfwatch`.`region_villages_local`
ENGINE = Distributed('xf_cluster', 'xfwatch', 'region_villages_local', rand());

CREATE TABLE IF NOT EXISTS `xfwatch`.`units_local` ON CLUSTER `xf_cluster`
(
    `code` String COMMENT 'unit code',
    `name` String COMMENT 'name',
    `kind` LowCardinality(String) COMMENT 'government|department|petition_bureau|hotline',
    `region` String COMMENT 'region code the unit serves',
    `level` LowCardinality(String) COMMENT 'city|county|township',
    `parent` String COMMENT 'superior unit code'
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/xfwatch/units_local', '{replica}')
ORDER BY code
COMMENT '责任单位: governments, departments, petition bureaus';

CREATE TABLE IF NOT EXISTS `xfwatch`.`units` ON CLUSTER `xf_cluster` AS `xfwatch`.`units_local`
ENGINE = Distributed('xf_cluster', 'xfwatch', 'units_local', rand());

CREATE TABLE IF NOT EXISTS `xfwatch`.`sensitive_periods_local` ON CLUSTER `xf_cluster`
(
    `name` String COMMENT 'name',
    `start` Date COMMENT 'first day, inclusive',
    `end` Date COMMENT 'last day, inclusive',
    `zero_report_required` Bool COMMENT 'every unit reports daily',
    `threshold_factor` Float64 COMMENT 'alert thresholds multiplied by this',
    `region` String COMMENT 'empty for the whole city, else a county code'
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/xfwatch/sensitive_periods_local', '{replica}')
ORDER BY (start, name)
COMMENT '敏感时期: 零报告 required, alert thresholds scaled';

CREATE TABLE IF NOT EXISTS `xfwatch`.`sensitive_periods` ON CLUSTER `xf_cluster` AS `xfwatch`.`sensitive_periods_local`
ENGINE = Distributed('xf_cluster', 'xfwatch', 'sensitive_periods_local', rand());

CREATE TABLE IF NOT EXISTS `xfwatch`.`audit_log_local` ON CLUSTER `xf_cluster`
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
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/xfwatch/audit_log_local', '{replica}')
PARTITION BY toYYYYMM(at)
ORDER BY (at, user)
COMMENT 'append-only record of every page view, export and alert action';

CREATE TABLE IF NOT EXISTS `xfwatch`.`audit_log` ON CLUSTER `xf_cluster` AS `xfwatch`.`audit_log_local`
ENGINE = Distributed('xf_cluster', 'xfwatch', 'audit_log_local', rand());

CREATE TABLE IF NOT EXISTS `xfwatch`.`ingest_batches_local` ON CLUSTER `xf_cluster`
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
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/xfwatch/ingest_batches_local', '{replica}')
PARTITION BY toYYYYMM(inserted_at)
ORDER BY (topic, partition, first_offset)
COMMENT 'one row per batch ingest stored: the offsets it covered';

CREATE TABLE IF NOT EXISTS `xfwatch`.`ingest_batches` ON CLUSTER `xf_cluster` AS `xfwatch`.`ingest_batches_local`
ENGINE = Distributed('xf_cluster', 'xfwatch', 'ingest_batches_local', partition);

