using Backprop.Benchmarks.Distributed;
#if !DISTRIBUTED_ONLY
using BenchmarkDotNet.Running;
using Backprop.Benchmarks;
using Backprop.Benchmarks.Quick;
using Backprop.Benchmarks.Reporting;
#endif

// dotnet run -c Release --project tests/Backprop.Benchmarks -- [BenchmarkDotNet arguments]
//   no arguments: every benchmark with the default job, then the ratio report
//   --job short | --job dry, --filter '*Gemm*', ...: BenchmarkDotNet's own options
// dotnet run -c Release --project tests/Backprop.Benchmarks -- --quick [peak] [gemm] [step]
//   a Stopwatch loop of a few seconds that prints the same report (for kernel work)
// dotnet run -c Release --project tests/Backprop.Benchmarks -- --distributed [--workers 1,2] [--epochs 4] [--threads T] [--fabric tls|both]
//   the real CLI in-process and as coordinator + N worker processes on loopback (Distributed/DistributedRun.cs);
//   build with -p:DistributedOnly=true to leave out BenchmarkDotNet and TorchSharp
if (args.Contains(DistributedRun.Flag))
{
    return DistributedRun.Run([.. args.Where(a => a != DistributedRun.Flag)], Console.Out);
}

#if DISTRIBUTED_ONLY
Console.Error.WriteLine($"built with -p:DistributedOnly=true: only {DistributedRun.Flag} is available");
return 2;
#else
if (args.Contains(QuickRun.Flag))
{
    return QuickRun.Run([.. args.Where(a => a != QuickRun.Flag)], Console.Out);
}

// BenchmarkDotNet ignores --job when the config holds a default job, so only add ours without one.
var config = BenchmarkConfig.Create(withDefaultJob: !args.Any(a => a is "--job" or "-j"));
var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(WithDefaultFilter(args), config).ToList();
RatioReport.Print(Console.Out, SummaryResults.From(summaries));
return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;

// Without a filter BenchmarkSwitcher asks on the console which benchmarks to run; run them all instead.
static string[] WithDefaultFilter(string[] args)
{
    string[] selecting = ["--filter", "-f", "--list", "--help", "-h", "--version", "--info", "--allCategories", "--anyCategories"];
    return args.Any(selecting.Contains) ? args : [.. args, "--filter", "*"];
}
#endif
