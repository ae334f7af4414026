#!/usr/bin/env bash
# Collects the AWS CLI output that `vpcsim import aws` reads.
#
# Usage:
#   scenarios/aws/collect.sh DIR                 # the CLI's default region, into DIR/
#   scenarios/aws/collect.sh DIR REGION...       # one folder per region, DIR/<region>/
#   scenarios/aws/collect.sh ORG/accounts/ACCOUNT-ID REGION...   # one account of several
#
# Then:
#   vpcsim import aws DIR -o my-network.toml
#
# Needs the AWS CLI (v2) and credentials that may call the read-only
# Describe/List/Get actions below (the AWS managed policy ReadOnlyAccess covers
# them). Nothing is created or changed. Each file is the JSON the CLI prints,
# unchanged, named after the call's top-level key: `Vpcs.json` for
# `describe-vpcs`, `Reservations.json` for `describe-instances`. The entries of
# each managed prefix list go to `PrefixListEntries-<prefix-list-id>.json`.
#
# The calls under "listed only" describe resources that vpcsim cannot
# represent; the import names them in its report, so that nothing is left out
# silently. They may fail (a service not offered in the region, a policy that
# does not allow them) without stopping the collection.

set -euo pipefail
export AWS_PAGER=""

if [ $# -lt 1 ]; then
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
fi

out=$1
shift
dir=
region=

# call FILE SERVICE OPERATION [ARGS...]: one CLI call into $dir/FILE.
call() {
    local file=$1
    shift
    aws "$@" ${region:+--region "$region"} --output json >"$dir/$file"
}

# Like call, but a failure is reported and the collection goes on.
optional() {
    if ! call "$@"; then
        echo "collect.sh: \`aws $2 $3\` failed; $1 left out" >&2
        rm -f "$dir/$1"
    fi
}

# The propagations and static routes of transit gateway route tables: the
# CLI answers for one table at a time and does not repeat the table's id,
# so each answer is wrapped with it:
#   TransitGatewayPropagations.json
#     {"TransitGatewayPropagations": [{"TransitGatewayRouteTableId": ...,
#       "TransitGatewayRouteTablePropagations": [...]}, ...]}
#   TransitGatewayStaticRoutes.json
#     {"TransitGatewayStaticRoutes": [{"TransitGatewayRouteTableId": ...,
#       "Routes": [...], "AdditionalRoutesAvailable": false}, ...]}
# Only the tables of transit gateways this account owns answer; a table
# that fails is reported and left out.
tgw_tables() {
    local ids id sep props routes
    if ! ids=$(aws ec2 describe-transit-gateway-route-tables ${region:+--region "$region"} \
        --query 'TransitGatewayRouteTables[].TransitGatewayRouteTableId' --output text); then
        echo "collect.sh: \`aws ec2 describe-transit-gateway-route-tables\` failed; propagations and static routes left out" >&2
        return 0
    fi
    props='{"TransitGatewayPropagations": ['
    routes='{"TransitGatewayStaticRoutes": ['
    sep=
    for id in $ids; do
        local p r
        if ! p=$(aws ec2 get-transit-gateway-route-table-propagations ${region:+--region "$region"} \
            --transit-gateway-route-table-id "$id" \
            --query 'TransitGatewayRouteTablePropagations' --output json); then
            echo "collect.sh: propagations of $id left out" >&2
            continue
        fi
        if ! r=$(aws ec2 search-transit-gateway-routes ${region:+--region "$region"} \
            --transit-gateway-route-table-id "$id" \
            --filters "Name=type,Values=static" --max-results 1000 --output json); then
            echo "collect.sh: static routes of $id left out" >&2
            continue
        fi
        props="$props$sep{\"TransitGatewayRouteTableId\": \"$id\", \"TransitGatewayRouteTablePropagations\": $p}"
        # The search's answer is an object; its first brace opens the entry.
        routes="$routes$sep{\"TransitGatewayRouteTableId\": \"$id\", ${r#*\{}"
        sep=', '
    done
    printf '%s]}\n' "$props" >"$dir/TransitGatewayPropagations.json"
    printf '%s]}\n' "$routes" >"$dir/TransitGatewayStaticRoutes.json"
}

collect() {
    mkdir -p "$dir"
    echo "collecting${region:+ $region} into $dir" >&2

    call Vpcs.json ec2 describe-vpcs
    call Subnets.json ec2 describe-subnets
    call RouteTables.json ec2 describe-route-tables
    call SecurityGroups.json ec2 describe-security-groups
    call NetworkAcls.json ec2 describe-network-acls
    call InternetGateways.json ec2 describe-internet-gateways
    call NatGateways.json ec2 describe-nat-gateways
    call VpcEndpoints.json ec2 describe-vpc-endpoints
    call NetworkInterfaces.json ec2 describe-network-interfaces
    call Reservations.json ec2 describe-instances
    call VpcPeeringConnections.json ec2 describe-vpc-peering-connections
    call VpnGateways.json ec2 describe-vpn-gateways
    call VpnConnections.json ec2 describe-vpn-connections
    call CustomerGateways.json ec2 describe-customer-gateways
    call Addresses.json ec2 describe-addresses
    call AvailabilityZones.json ec2 describe-availability-zones

    # The AWS-managed service prefix lists (S3, DynamoDB) with their CIDRs.
    call PrefixLists.json ec2 describe-prefix-lists
    # Managed prefix lists, then the entries of each.
    call ManagedPrefixLists.json ec2 describe-managed-prefix-lists
    local id
    for id in $(aws ec2 describe-managed-prefix-lists ${region:+--region "$region"} \
        --query 'PrefixLists[].PrefixListId' --output text); do
        call "PrefixListEntries-$id.json" ec2 get-managed-prefix-list-entries --prefix-list-id "$id"
    done

    # Lambda functions: their VpcConfig places them in subnets.
    call Functions.json lambda list-functions

    # Transit gateways, their attachments and route tables.
    optional TransitGateways.json ec2 describe-transit-gateways
    optional TransitGatewayAttachments.json ec2 describe-transit-gateway-attachments
    optional TransitGatewayVpcAttachments.json ec2 describe-transit-gateway-vpc-attachments
    optional TransitGatewayRouteTables.json ec2 describe-transit-gateway-route-tables
    optional TransitGatewayPeeringAttachments.json ec2 describe-transit-gateway-peering-attachments
    tgw_tables

    # Listed only.
    optional EgressOnlyInternetGateways.json ec2 describe-egress-only-internet-gateways
    optional CarrierGateways.json ec2 describe-carrier-gateways
    optional LoadBalancers.json elbv2 describe-load-balancers
    optional Firewalls.json network-firewall list-firewalls
}

if [ $# -eq 0 ]; then
    dir=$out
    collect
else
    for region in "$@"; do
        dir=$out/$region
        collect
    done
fi
