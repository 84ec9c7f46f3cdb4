"use strict";
// The networking team: CNAMEs listed in the stack's config, in a zone found by name.
const aws = require("@pulumi/aws");
const pulumi = require("@pulumi/pulumi");

const config = new pulumi.Config();
const zone = aws.route53.getZoneOutput({ name: config.require("zoneName") });

const records = config.requireObject("records").map(r => new aws.route53.Record(r.name, {
    zoneId: zone.zoneId,
    name: pulumi.interpolate`${r.name}.${zone.name}`,
    type: "CNAME",
    ttl: 300,
    records: [r.target],
}));

exports.fqdns = records.map(r => r.fqdn);
