#pragma once
// Reads and validates catalog YAML. The same code runs at build time (data/ → embedded blob)
// and at run time (--catalog DIR), so both report errors the same way: file, line, field.
#include <filesystem>
#include <string>
#include <vector>

#include "winports/catalog/model.hpp"
#include "winports/core/file.hpp"
#include "winports/core/result.hpp"

namespace winports::catalog {

// Parses one service file. `context` supplies the vocabulary, OS table and roles used to check
// conditions; cross-service references (uses:) are checked by validate().
Result<Service> parse_service(const SourceFile& file, const Catalog& context);
// roles.yaml ("roles:") and profiles.yaml ("profiles:") share one shape.
Result<std::vector<Role>> parse_roles(const SourceFile& file, const char* key = "roles");
Status parse_os_table(const SourceFile& file, Catalog& into);
Status parse_vocabulary(const SourceFile& file, Catalog& into);
// rpc-interfaces.yaml; parsed after the services, which its `service:` keys name.
Status parse_rpc_interfaces(const SourceFile& file, Catalog& into);
// port-settings.yaml; parsed after the services, which its `service:` keys name.
Status parse_port_settings(const SourceFile& file, Catalog& into);
// documents.yaml: the Microsoft documents other than the KB that rows cite; parsed before the
// services, whose `document:` sources name them.
Status parse_documents(const SourceFile& file, Catalog& into);
// data/windows-rules.yaml: Windows Firewall's predefined inbound rules.
Status parse_predefined_rules(const SourceFile& file, Catalog& into);
// data/products.yaml: which Windows each product version behind a role runs on.
Status parse_products(const SourceFile& file, Catalog& into);

// Reads DIR/os.yaml, DIR/vocabulary.yaml, DIR/roles.yaml, DIR/profiles.yaml, DIR/documents.yaml,
// DIR/services/*.yaml, DIR/rpc-interfaces.yaml and DIR/port-settings.yaml.
Result<Catalog> load_directory(const std::filesystem::path& dir);

// Adds a user's directory on top of `base`: services/*.yaml or *.yaml service files replace
// services of the same id or add new ones; roles.yaml and vocabulary.yaml extend or override.
// Its rows and roles are the user's (Origin::user), whatever they cite.
Status merge_directory(Catalog& base, const std::filesystem::path& dir);

// Cross-file checks: unique ids, services named by roles and uses: exist.
Status validate(const Catalog& catalog);

}  // namespace winports::catalog
