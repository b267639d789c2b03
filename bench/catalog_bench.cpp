// In-process costs behind a lookup: decoding the embedded catalog and answering a port query.
#include <benchmark/benchmark.h>

#include "winports/catalog/embedded.hpp"
#include "winports/catalog/query.hpp"
#include "winports/catalog/serialize.hpp"

static void BM_DecodeEmbeddedCatalog(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(winports::catalog::from_blob(winports::catalog::builtin_blob()));
}
BENCHMARK(BM_DecodeEmbeddedCatalog);

static void BM_LookupPort445(benchmark::State& state) {
  const auto& c = winports::catalog::builtin_catalog();
  auto q = *winports::catalog::parse_port_query("445");
  for (auto _ : state) benchmark::DoNotOptimize(winports::catalog::lookup_port(c, q));
}
BENCHMARK(BM_LookupPort445);

static void BM_FindServiceByJapaneseName(benchmark::State& state) {
  const auto& c = winports::catalog::builtin_catalog();
  for (auto _ : state) benchmark::DoNotOptimize(winports::catalog::find_services(c, "ライセンス ログ サービス"));
}
BENCHMARK(BM_FindServiceByJapaneseName);

BENCHMARK_MAIN();
