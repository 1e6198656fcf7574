#include "agent/api/control_json.h"

#include <algorithm>
#include <limits>
#include <set>
#include <string_view>
#include <vector>

#include "common/host_port.h"

namespace cdr::agent::api {
namespace {

// A client's value quoted in an error: cut short and with control characters escaped, so a 400 never echoes
// a large body back or forges lines in a log.
std::string Shown(std::string_view value) {
  constexpr size_t kMaxShown = 64;
  std::string out;
  for (char c : value.substr(0, kMaxShown)) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      out += '?';
    } else {
      out += c;
    }
  }
  if (value.size() > kMaxShown) out += "… (" + std::to_string(value.size()) + " bytes)";
  return out;
}

using nlohmann::json;

// Reads the members of one JSON object into a struct, collecting every problem so a caller sees them all at
// once.
class FieldReader {
 public:
  FieldReader(const json& object, std::string prefix, std::vector<std::string>* errors)
      : object_(object), prefix_(std::move(prefix)), errors_(errors) {}

  void Read(const char* name, std::string* out, bool required = false) {
    const json* v = Find(name, required);
    if (!v) return;
    if (!v->is_string()) return Fail(name, "must be a string");
    *out = v->get<std::string>();
  }
  void Read(const char* name, bool* out) {
    const json* v = Find(name, false);
    if (!v) return;
    if (!v->is_boolean()) return Fail(name, "must be true or false");
    *out = v->get<bool>();
  }
  void Read(const char* name, uint64_t* out) {
    const json* v = Find(name, false);
    if (!v) return;
    if (!v->is_number_unsigned()) return Fail(name, "must be a non-negative integer");
    *out = v->get<uint64_t>();
  }
  void Read(const char* name, int* out) {
    const json* v = Find(name, false);
    if (!v) return;
    if (!v->is_number_integer()) return Fail(name, "must be an integer");
    const bool too_large = v->is_number_unsigned()
                               ? v->get<uint64_t>() > uint64_t{std::numeric_limits<int>::max()}
                               : v->get<int64_t>() > std::numeric_limits<int>::max();
    if (too_large || v->get<int64_t>() < std::numeric_limits<int>::min())
      return Fail(name, "is out of range");
    *out = static_cast<int>(v->get<int64_t>());
  }
  void Read(const char* name, double* out) {
    const json* v = Find(name, false);
    if (!v) return;
    if (!v->is_number()) return Fail(name, "must be a number");
    *out = v->get<double>();
  }
  void Read(const char* name, std::map<std::string, uint64_t>* out) {
    const json* v = Find(name, false);
    if (!v) return;
    if (!v->is_object()) return Fail(name, "must be an object of disk names to seqs");
    for (const auto& [key, value] : v->items()) {
      if (!value.is_number_unsigned()) return Fail(name, "." + key + " must be a non-negative integer");
      (*out)[key] = value.get<uint64_t>();
    }
  }

  void RefuseUnknown(const std::set<std::string>& known) {
    for (const auto& [key, value] : object_.items()) {
      if (!known.count(key)) errors_->push_back(prefix_ + Shown(key) + ": unknown field");
    }
  }

  void Fail(const std::string& name, const std::string& problem) {
    errors_->push_back(prefix_ + name + ": " + problem);
  }

 private:
  const json* Find(const char* name, bool required) {
    auto it = object_.find(name);
    if (it == object_.end() || it->is_null()) {
      if (required) Fail(name, "is required");
      return nullptr;
    }
    return &*it;
  }

  const json& object_;
  std::string prefix_;
  std::vector<std::string>* errors_;
};

Status Joined(const std::string& what, const std::vector<std::string>& errors) {
  std::string message = "invalid " + what + ": ";
  for (size_t i = 0; i < errors.size(); ++i) message += (i ? "; " : "") + errors[i];
  return InvalidArgument(message);
}

// Absent in an older agent's status: then every field keeps its "never verified" default.
void ReadVerify(const json& object, const std::string& prefix, DiskVerifyStatus* v,
                std::vector<std::string>* errors) {
  if (!object.is_object()) {
    errors->push_back(prefix.substr(0, prefix.size() - 1) + ": must be an object");
    return;
  }
  FieldReader r(object, prefix, errors);
  uint64_t started = 0, finished = 0, difference = 0;
  r.Read("running", &v->running);
  r.Read("requested", &v->requested);
  r.Read("round_started_ms", &started);
  r.Read("round_finished_ms", &finished);
  r.Read("outcome", &v->outcome);
  r.Read("reason", &v->reason);
  r.Read("round_bytes", &v->round_bytes);
  r.Read("cursor", &v->cursor);
  r.Read("bytes_compared", &v->bytes_compared);
  r.Read("differences", &v->differences);
  r.Read("difference_ms", &difference);
  r.Read("difference_offset", &v->difference_offset);
  v->round_started_ms = static_cast<int64_t>(started);
  v->round_finished_ms = static_cast<int64_t>(finished);
  v->difference_ms = static_cast<int64_t>(difference);
}

void ReadDisk(const json& object, const std::string& prefix, DiskReplicationStatus* disk,
              std::vector<std::string>* errors) {
  if (!object.is_object()) {
    errors->push_back(prefix.substr(0, prefix.size() - 1) + ": must be an object");
    return;
  }
  FieldReader r(object, prefix, errors);
  r.Read("disk", &disk->disk, /*required=*/true);
  r.Read("state", &disk->state, /*required=*/true);
  r.Read("size_bytes", &disk->size_bytes);
  r.Read("progress_percent", &disk->progress_percent);
  r.Read("bytes_sent", &disk->bytes_sent);
  r.Read("full_sync_bytes_sent", &disk->full_sync_bytes_sent);
  r.Read("repair_bytes_sent", &disk->repair_bytes_sent);
  r.Read("repair_compared_bytes", &disk->repair_compared_bytes);
  r.Read("dirty_blocks", &disk->dirty_blocks);
  r.Read("dirty_block_bytes", &disk->dirty_block_bytes);
  r.Read("journal_seq", &disk->journal_seq);
  r.Read("acked_seq", &disk->acked_seq);
  r.Read("journal_bytes", &disk->journal_bytes);
  r.Read("lag_seconds", &disk->lag_seconds);
  r.Read("backlog_known", &disk->backlog_known);
  r.Read("backlog_writes", &disk->backlog_writes);
  r.Read("backlog_bytes", &disk->backlog_bytes);
  r.Read("backlog_age_seconds", &disk->backlog_age_seconds);
  r.Read("link_up", &disk->link_up);
  r.Read("last_error", &disk->last_error);
  auto verify = object.find("verify");
  if (verify != object.end() && !verify->is_null()) ReadVerify(*verify, prefix + "verify.", &disk->verify, errors);
}

}  // namespace

Status ValidateHostPort(const std::string& field, const std::string& address) {
  Result<HostPort> split = SplitHostPort(address);
  if (split.ok()) return Status::Ok();
  return InvalidArgument(field + ": \"" + Shown(address) + "\" is not HOST:PORT (" + split.status().message() + ")");
}

json ToJson(const ReplicationTarget& t) {
  return {{"shadow_address", t.shadow_address},
          {"server_id", t.server_id},
          {"sync_mode", t.sync_mode},
          {"auto_restart", t.auto_restart},
          {"rate_bytes_per_second", t.rate_bytes_per_second},
          {"outage_window_seconds", t.outage_window_seconds},
          {"compare_first", t.compare_first},
          {"production_seqs", t.production_seqs},
          {"group", t.group},
          {"server_name", t.server_name}};
}

json ToJson(const DiskVerifyStatus& v) {
  const auto ms = [](int64_t t) { return static_cast<uint64_t>(std::max<int64_t>(t, 0)); };
  return {{"running", v.running},
          {"requested", v.requested},
          {"round_started_ms", ms(v.round_started_ms)},
          {"round_finished_ms", ms(v.round_finished_ms)},
          {"outcome", v.outcome},
          {"reason", v.reason},
          {"round_bytes", v.round_bytes},
          {"cursor", v.cursor},
          {"bytes_compared", v.bytes_compared},
          {"differences", v.differences},
          {"difference_ms", ms(v.difference_ms)},
          {"difference_offset", v.difference_offset}};
}

json ToJson(const DiskReplicationStatus& d) {
  return {{"disk", d.disk},
          {"state", d.state},
          {"size_bytes", d.size_bytes},
          {"progress_percent", d.progress_percent},
          {"bytes_sent", d.bytes_sent},
          {"full_sync_bytes_sent", d.full_sync_bytes_sent},
          {"repair_bytes_sent", d.repair_bytes_sent},
          {"repair_compared_bytes", d.repair_compared_bytes},
          {"dirty_blocks", d.dirty_blocks},
          {"dirty_block_bytes", d.dirty_block_bytes},
          {"journal_seq", d.journal_seq},
          {"acked_seq", d.acked_seq},
          {"journal_bytes", d.journal_bytes},
          {"lag_seconds", d.lag_seconds},
          {"backlog_known", d.backlog_known},
          {"backlog_writes", d.backlog_writes},
          {"backlog_bytes", d.backlog_bytes},
          {"backlog_age_seconds", d.backlog_age_seconds},
          {"link_up", d.link_up},
          {"last_error", d.last_error},
          {"verify", ToJson(d.verify)}};
}

json ToJson(const AgentSettings& s) {
  return {{"sync_mode", s.sync_mode},
          {"rate_bytes_per_second", s.rate_bytes_per_second},
          {"outage_window_seconds", s.outage_window_seconds},
          {"journal_max_bytes", s.journal_max_bytes}};
}

json ToJson(const SettingsUpdate& u) {
  json out = json::object();
  if (u.sync_mode) out["sync_mode"] = *u.sync_mode;
  if (u.rate_bytes_per_second) out["rate_bytes_per_second"] = *u.rate_bytes_per_second;
  if (u.outage_window_seconds) out["outage_window_seconds"] = *u.outage_window_seconds;
  if (u.journal_max_bytes) out["journal_max_bytes"] = *u.journal_max_bytes;
  return out;
}

json ToJson(const AgentStatus& s) {
  json disks = json::array();
  for (const auto& d : s.disks) disks.push_back(ToJson(d));
  json out = {{"server_id", s.server_id},     {"state", s.state},
              {"nbd_address", s.nbd_address}, {"shadow_address", s.shadow_address},
              {"sync_mode", s.sync_mode},     {"auto_restart", s.auto_restart},
              {"lag_seconds", s.lag_seconds}, {"fenced", s.fenced},
              {"disks", std::move(disks)},    {"group", s.group},
              {"server_name", s.server_name}, {"agent_version", s.version}};
  if (s.settings) out["settings"] = ToJson(*s.settings);
  return out;
}

Result<SettingsUpdate> SettingsUpdateFromJson(const json& object) {
  if (!object.is_object()) return InvalidArgument("invalid settings: the body must be a JSON object");
  SettingsUpdate u;
  std::vector<std::string> errors;
  FieldReader r(object, "", &errors);
  bool sync_mode = false;
  uint64_t rate = 0, journal = 0;
  int outage = 0;
  r.Read("sync_mode", &sync_mode);
  r.Read("rate_bytes_per_second", &rate);
  r.Read("outage_window_seconds", &outage);
  r.Read("journal_max_bytes", &journal);
  r.RefuseUnknown({"sync_mode", "rate_bytes_per_second", "outage_window_seconds", "journal_max_bytes"});
  const auto given = [&](const char* key) { return object.contains(key) && !object[key].is_null(); };
  if (given("sync_mode")) u.sync_mode = sync_mode;
  if (given("rate_bytes_per_second")) u.rate_bytes_per_second = rate;
  if (given("outage_window_seconds")) {
    u.outage_window_seconds = outage;
    if (outage <= 0) r.Fail("outage_window_seconds", "must be > 0");
  }
  if (given("journal_max_bytes")) {
    u.journal_max_bytes = journal;
    if (journal == 0) r.Fail("journal_max_bytes", "must be > 0");
  }
  if (!errors.empty()) return Joined("settings", errors);
  return u;
}

Result<ReplicationTarget> ReplicationTargetFromJson(const json& object) {
  if (!object.is_object())
    return InvalidArgument("invalid replication target: the body must be a JSON object");
  ReplicationTarget t;
  std::vector<std::string> errors;
  FieldReader r(object, "", &errors);
  r.Read("shadow_address", &t.shadow_address, /*required=*/true);
  r.Read("server_id", &t.server_id, /*required=*/true);
  r.Read("sync_mode", &t.sync_mode);
  r.Read("auto_restart", &t.auto_restart);
  r.Read("rate_bytes_per_second", &t.rate_bytes_per_second);
  r.Read("outage_window_seconds", &t.outage_window_seconds);
  r.Read("compare_first", &t.compare_first);
  r.Read("production_seqs", &t.production_seqs);
  r.Read("group", &t.group);
  r.Read("server_name", &t.server_name);
  r.RefuseUnknown({"shadow_address", "server_id", "sync_mode", "auto_restart", "rate_bytes_per_second",
                   "outage_window_seconds", "compare_first", "production_seqs", "group", "server_name"});
  if (object.contains("shadow_address") && object["shadow_address"].is_string()) {
    Status address = ValidateHostPort("shadow_address", t.shadow_address);
    if (!address.ok()) errors.push_back(address.message());
  }
  if (object.contains("server_id") && object["server_id"].is_string() && t.server_id.empty()) {
    r.Fail("server_id", "must not be empty");
  }
  if (t.outage_window_seconds <= 0) r.Fail("outage_window_seconds", "must be > 0");
  if (!errors.empty()) return Joined("replication target", errors);
  return t;
}

Result<VerifyRequest> VerifyRequestFromJson(const json& object) {
  if (!object.is_object()) return InvalidArgument("invalid verify request: the body must be a JSON object");
  VerifyRequest request;
  std::vector<std::string> errors;
  FieldReader r(object, "", &errors);
  r.Read("bytes", &request.bytes);
  r.RefuseUnknown({"bytes"});
  if (!errors.empty()) return Joined("verify request", errors);
  return request;
}

Result<DiskReplicationStatus> DiskReplicationStatusFromJson(const json& object) {
  DiskReplicationStatus d;
  std::vector<std::string> errors;
  ReadDisk(object, "disk.", &d, &errors);
  if (!errors.empty()) return Joined("disk status", errors);
  return d;
}

// Unknown fields are tolerated here: a newer agent may report more than this client knows.
Result<AgentStatus> AgentStatusFromJson(const json& object) {
  if (!object.is_object()) return InvalidArgument("invalid agent status: not a JSON object");
  AgentStatus s;
  std::vector<std::string> errors;
  FieldReader r(object, "", &errors);
  r.Read("server_id", &s.server_id);
  r.Read("state", &s.state, /*required=*/true);
  r.Read("nbd_address", &s.nbd_address);
  r.Read("shadow_address", &s.shadow_address);
  r.Read("sync_mode", &s.sync_mode);
  r.Read("auto_restart", &s.auto_restart);
  r.Read("lag_seconds", &s.lag_seconds);
  r.Read("fenced", &s.fenced);
  r.Read("group", &s.group);
  r.Read("server_name", &s.server_name);
  r.Read("agent_version", &s.version);
  if (auto settings = object.find("settings"); settings != object.end() && !settings->is_null()) {
    if (!settings->is_object()) {
      r.Fail("settings", "must be an object");
    } else {
      AgentSettings a;
      FieldReader sr(*settings, "settings.", &errors);
      sr.Read("sync_mode", &a.sync_mode);
      sr.Read("rate_bytes_per_second", &a.rate_bytes_per_second);
      sr.Read("outage_window_seconds", &a.outage_window_seconds);
      sr.Read("journal_max_bytes", &a.journal_max_bytes);
      s.settings = a;
    }
  }
  auto disks = object.find("disks");
  if (disks != object.end() && !disks->is_null()) {
    if (!disks->is_array()) {
      r.Fail("disks", "must be an array");
    } else {
      for (size_t i = 0; i < disks->size(); ++i) {
        DiskReplicationStatus d;
        ReadDisk((*disks)[i], "disks[" + std::to_string(i) + "].", &d, &errors);
        s.disks.push_back(std::move(d));
      }
    }
  }
  if (!errors.empty()) return Joined("agent status", errors);
  return s;
}

}  // namespace cdr::agent::api
