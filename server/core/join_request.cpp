#include "join_request.h"

#include "identity.h"
#include "participant_name.h"
#include "text.h"

namespace panelwire::core {

Result<void> check_hello_ids(const v1::Hello& hello) {
  if (!valid_panel_id(hello.panel_id()))
    return fail(v1::INVALID_ARGUMENT, "panel_id must be 1 to 64 characters of [A-Za-z0-9._-]");
  // An empty client id asks the relay for one.
  if (!hello.client_id().empty() && !valid_token_id(hello.client_id()))
    return fail(v1::INVALID_ARGUMENT,
                "client_id must be 1 to 64 visible ASCII characters (no spaces)");
  return {};
}

Result<JoinRequest> check_hello(const v1::Hello& hello, const HelloContext& ctx) {
  if (auto ids = check_hello_ids(hello); !ids) return ids.error();
  JoinRequest join;
  join.panel_id = hello.panel_id();
  join.client_id = hello.client_id().empty() ? ctx.new_client_id() : hello.client_id();
  join.guest = hello.token().empty();
  if (join.guest) {
    join.you = guest(join.client_id, hello.display_name(), ctx.id_secret);
  } else {
    auto who =
        verify_token(hello.token(), ctx.token_secret, join.panel_id, ctx.now_s, ctx.id_secret);
    if (!who) return who.error();
    join.you = std::move(*who);
  }
  // Names cleaned of what hides or fakes text; a guest may not pass for a
  // host (the role words, the names the panel reserves).
  auto admitted = admit_participant(std::move(join.you), join.guest, ctx.reserved);
  if (!admitted) return admitted.error();
  join.you = std::move(*admitted);
  join.question_order = hello.question_order();
  // Present, even as 0, asks for a resume; absent asks for a fresh snapshot.
  if (hello.has_resume_after()) join.resume_after = hello.resume_after();
  return join;
}

}  // namespace panelwire::core
