-- The HAVIP control plane's schema. Written in the SQL that PostgreSQL and H2 (in its
-- PostgreSQL compatibility mode) both run as it stands.

-- What the fabric knows: VPCs, subnets, instances and their MACs (JdbcInventory).
CREATE TABLE vpc (
    id         VARCHAR(64) PRIMARY KEY,
    cidr       VARCHAR(64) NOT NULL
);

CREATE TABLE subnet (
    id         VARCHAR(64) PRIMARY KEY,
    vpc_id     VARCHAR(64) NOT NULL REFERENCES vpc (id),
    ipv4_cidr  VARCHAR(64) NOT NULL,
    ipv6_cidr  VARCHAR(64)
);

CREATE TABLE instance (
    id         VARCHAR(64) PRIMARY KEY,
    vpc_id     VARCHAR(64) NOT NULL REFERENCES vpc (id),
    subnet_id  VARCHAR(64) NOT NULL REFERENCES subnet (id)
);

CREATE TABLE instance_mac (
    mac         VARCHAR(17) PRIMARY KEY,
    instance_id VARCHAR(64) NOT NULL REFERENCES instance (id)
);

-- The HAVIPs. No foreign key to the inventory tables: a store may serve an inventory kept elsewhere.
CREATE TABLE havip (
    id           VARCHAR(64)   PRIMARY KEY,
    name         VARCHAR(255)  NOT NULL,
    remark       VARCHAR(1024) NOT NULL,
    vpc_id       VARCHAR(64)   NOT NULL,
    subnet_id    VARCHAR(64)   NOT NULL,
    type         VARCHAR(16)   NOT NULL,
    address      VARCHAR(45)   NOT NULL,
    status       VARCHAR(16)   NOT NULL,
    holder       VARCHAR(64),
    holder_since TIMESTAMP WITH TIME ZONE,
    eip          VARCHAR(45),
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    -- one address once per subnet, whichever control-plane instance allocated it
    CONSTRAINT havip_subnet_address UNIQUE (subnet_id, address),
    -- an EIP fronts one HAVIP at most (NULLs do not collide)
    CONSTRAINT havip_eip UNIQUE (eip),
    CONSTRAINT havip_status CHECK (status IN ('AVAILABLE', 'FAILED', 'DELETING')),
    CONSTRAINT havip_type CHECK (type IN ('INTRANET_IPV4', 'EXTRANET_IPV4', 'EXTRANET_IPV6')),
    CONSTRAINT havip_holder_time CHECK ((holder IS NULL) = (holder_since IS NULL))
);

CREATE INDEX havip_vpc_address ON havip (vpc_id, address);
CREATE INDEX havip_created ON havip (created_at, id);
CREATE INDEX havip_name_lower ON havip (name);

-- The instances allowed to hold each HAVIP, in the order they were bound.
CREATE TABLE havip_binding (
    havip_id    VARCHAR(64) NOT NULL REFERENCES havip (id) ON DELETE CASCADE,
    instance_id VARCHAR(64) NOT NULL,
    position    INTEGER     NOT NULL,
    PRIMARY KEY (havip_id, instance_id)
);

CREATE INDEX havip_binding_instance ON havip_binding (instance_id);

-- Rows that exist to be locked (SELECT ... FOR UPDATE): 'allocations/<subnet>/<family>'
-- serialises allocation in one subnet, 'instance/<id>' the bindings of one instance, so that
-- a rule that counts rows is checked by one transaction at a time.
CREATE TABLE havip_lock (
    name VARCHAR(200) PRIMARY KEY
);
