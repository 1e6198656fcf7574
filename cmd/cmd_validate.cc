#include <iostream>

#include "cmd/commands.h"

namespace cdr::cmd {

int RunValidate(const GlobalOptions& g) {
  auto loaded = LoadSpecOrReport(g);
  if (!loaded) return kExitError;
  const specs::Spec* spec = &loaded->spec;
  size_t servers = 0;
  for (const auto& group : spec->groups) servers += group.servers.size();
  std::cout << "The spec is valid: " << spec->files.size() << " file(s), " << spec->groups.size()
            << " protection group(s), " << servers << " protected server(s) (quota " << spec->quota.agents
            << ").\n";
  return kExitOk;
}

}  // namespace cdr::cmd
