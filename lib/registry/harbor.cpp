#include "registry/harbor.h"

namespace ssf::registry {

Status check_harbor_project(Session& session, HttpClient& client, const Reference& ref) {
  if (ref.repository.find('/') == std::string::npos) return {};  // Harbor has none such
  std::string api = session.base_url() + "/api/v2.0";
  HttpRequest head;
  head.method = "HEAD";
  head.url = add_query(api + "/projects", "project_name", ref.project());
  if (auto basic = session.basic_header()) head.headers.push_back(*basic);
  HttpResponse exists = client.perform(head);
  log::debug("registry: HEAD /api/v2.0/projects?project_name={} -> {}", ref.project(),
             exists.status);
  if (exists.status != 404) return {};  // exists, or not Harbor, or not ours to judge

  HttpRequest ping;
  ping.url = api + "/ping";
  HttpResponse pong = client.perform(ping);
  if (pong.status != 200 || trim(pong.body).find("Pong") == std::string_view::npos) return {};
  return Error(ResultCode::DockerServerError,
               fmt::format("name unknown: project '{}' does not exist on Harbor registry {}: "
                           "Harbor does not create projects on push; create it first (or push "
                           "to an existing project)",
                           ref.project(), ref.registry));
}

}  // namespace ssf::registry
