#pragma once
// verify --emit powershell: the probes of a prepared verification as a PowerShell script, for a
// Windows vantage host. It connects over TCP with a timeout, sends each UDP port the very request
// the Linux prober sends (DNS, Kerberos, CLDAP, NTP, NetBIOS … from the same builders, carried as
// bytes), and writes the JSON `winports verify --json` writes, so `verify --merge` reads it like
// any other vantage's result. It does not map RPC endpoints: the dynamic ranges are said unchecked.
#include <chrono>
#include <string>

#include "winports/catalog/model.hpp"
#include "winports/probe/protocols.hpp"
#include "winports/verify/verify.hpp"

namespace winports::verify {

struct ScriptOptions {
  probe::Hints hints;                       // what the requests carry (--domain, --community)
  std::chrono::milliseconds timeout{1000};  // per attempt
  int retries = 1;                          // extra attempts after silence
  int json_version = 2;                     // the envelope's version (the CLI's)
  Lang lang = Lang::en;                     // the script's comments
};

// The request id the script's UDP payload for request `index` was built with.
std::uint16_t script_request_id(std::size_t index);

// `v` from prepare(): its requests, probed by the script in order.
std::string powershell_probe_script(const catalog::Catalog& catalog, const Verification& v,
                                    const ScriptOptions& options);

}  // namespace winports::verify
