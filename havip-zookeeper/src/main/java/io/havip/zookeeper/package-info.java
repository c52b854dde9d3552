/**
 * A ZooKeeper quorum lease per virtual router, on Apache Curator: the election authority that
 * keeps a VRRP master from binding while another node may hold the address (quorum guard), or
 * that replaces VRRP where protocol 112 or multicast does not pass (lease only), with a fencing
 * token that strictly increases with every new holder.
 */
package io.havip.zookeeper;
