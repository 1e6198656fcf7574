// `cdr serve`'s one Prometheus endpoint for the whole estate, from the newest observation round. Series are
// labelled with cdr's names group="…", server="…", like every daemon's /metrics, so they join:
//
//   cdr_server_health{group,server,health=}   1 for the server's health (healthy, rpo_high, not_replicating,
//                                             error, unknown); never healthy without a live answer
//   cdr_server_state{group,server,state=}     1 for the server's state
//   cdr_server_rpo_seconds{group,server}      the RPO (an upper bound when cdr_server_live is 0); absent unknown
//   cdr_server_live{group,server}             1 when the agent answered in this round
//   cdr_server_progress_percent               full sync or repair under way
//   cdr_server_backlog_bytes, cdr_server_backlog_age_seconds   unsent writes while replication is stopped
//   cdr_group_servers{group,health=}          servers of the group by health
//   cdr_serve_last_observation_timestamp_seconds, cdr_serve_observation_duration_seconds, cdr_serve_live
#pragma once

#include <string>

#include "console/estate_snapshot.h"

namespace cdr::console {

std::string RenderEstateMetrics(const EstateSnapshot& snapshot);

}  // namespace cdr::console
