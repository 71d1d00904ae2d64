using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace Orchestrator.Benchmarks;

/// <summary>
/// <c>POST /tasks</c> when no workflow runs, the intake alone (mode <c>intake</c>): the embedded default with admission
/// letting one task run at a time (<c>Workflow:MaxConcurrentTasks</c> = 1, its lowest) and the simulators answering after
/// 50 ms, so that the one running workflow takes about a second and costs next to nothing; the queue of waiting tasks
/// is made large enough (<c>Workflow:MaxQueuedTasks</c>) that no request is refused. 32 clients post flat out for
/// 5 s, after 20 s of the same to warm up: after 6 s, the Api still spent 18 % of its CPU compiling methods again
/// (tiered compilation's later tiers) and used 1.3 ms per request, against 0.5 warm. The Api's CPU per request and
/// the database's counts per request are over the 5 s.
/// With <c>--profile</c>, EventPipe's sample profiler records the Api over that phase too
/// (<c>artifacts/profile/intake.nettrace</c>), reduced as the workflows' profile is, per request; with
/// <c>--allocations</c>, the runtime's allocation sampling instead, reduced as <c>profile --allocations</c> is; with
/// <c>--perf</c>, Linux <c>perf</c> (native code and the kernel included), reduced as <c>profile --perf</c> is.
/// </summary>
static class IntakeRun
{
    public const string Header = """
        | mode | POST /tasks per s (32 clients) | p50 / p99 ms (unanswered) | Api CPU ms per POST | harness CPU ms per POST | write transactions per POST | reads per POST | KiB allocated per POST |
        |---|---:|---:|---:|---:|---:|---:|---:|
        """;

    public static async Task<string> RunAsync(string repository, string? profile)
    {
        if (profile == "--perf")
            ProfileRun.NameJitCodeForPerf();
        await using var deployment = await Deployment.StartAsync(repository, workers: 0, new Dictionary<string, string>
        {
            ["Workflow__MaxConcurrentTasks"] = "1",
            ["Workflow__MaxQueuedTasks"] = "1000000",
        });
        deployment.Simulators.Behaviour.Latency = TimeSpan.FromMilliseconds(50);
        var api = deployment.Processes[0];
        using var http = new HttpClient { BaseAddress = api.Address, Timeout = Latencies.Unanswered };

        await new Load(http).SubmitFlatOutAsync(clients: 32, TimeSpan.FromSeconds(20), maxTasks: 1_000_000);
        var trace = Path.Combine(repository, "artifacts", "profile", "intake.nettrace");
        Directory.CreateDirectory(Path.GetDirectoryName(trace)!);
        using var session = profile switch
        {
            "--profile" => new DiagnosticsClient(api.Id).StartEventPipeSession(
                [
                    new EventPipeProvider("Microsoft-DotNETCore-SampleProfiler", EventLevel.Informational),
                    new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational,
                        (long)(ClrTraceEventParser.Keywords.Jit | ClrTraceEventParser.Keywords.Loader)),
                ], requestRundown: true),
            "--allocations" => new DiagnosticsClient(api.Id).StartEventPipeSession(
                [new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Verbose, (long)ClrTraceEventParser.Keywords.GC)], requestRundown: true),
            _ => null,
        };
        var recording = session is null ? Task.CompletedTask : Task.Run(async () =>
        {
            await using var file = File.Create(trace);
            await session.EventStream.CopyToAsync(file);
        });
        var perfData = Path.Combine(repository, "artifacts", "profile", "intake.perf.data");
        using var perf = profile == "--perf" ? await ProfileRun.StartPerfAsync(api.Id, perfData) : null;
        var before = await PhaseCounts.ReadAsync(deployment);
        var posts = await new Load(http).SubmitFlatOutAsync(clients: 32, TimeSpan.FromSeconds(5), maxTasks: 100_000);
        var used = await PhaseCounts.ReadAsync(deployment) - before;
        if (perf is not null)
        {
            await ProfileRun.StopPerfAsync(perf);
            Console.WriteLine(await ProfileRun.ReducePerfAsync(perfData, Math.Max(posts.Count, 1), used.ProcessCpu[0], per: "POST"));
            Console.WriteLine(await ProfileRun.PerfReportAsync(perfData, "dso,sym", limit: "0.5"));
        }

        if (session is not null)
        {
            await session.StopAsync(CancellationToken.None);
            await recording;
            var reduced = profile == "--profile"
                ? ProfileRun.Reduce(trace, Math.Max(posts.Count, 1))
                : AllocationProfile.Reduce(trace, Math.Max(posts.Count, 1));
            Console.WriteLine(reduced.Replace("workflow", "POST", StringComparison.Ordinal));
        }

        var n = Math.Max(posts.Count, 1);
        Console.WriteLine($"   {posts.Count} POST /tasks in {posts.Elapsed.TotalSeconds:F1} s, {posts.Failures} unanswered; "
            + $"{used.Consumed / n:F2} messages consumed per POST (the workflows that ran meanwhile)");
        Console.WriteLine("   against the targets:");
        Console.WriteLine($"     POST /tasks ≥ 3,000/s from 32 clients when no workflow runs: {posts.PerSecond:F0} ({(posts.PerSecond >= 3000 ? "met" : "missed")})");
        return string.Create(CultureInfo.InvariantCulture,
            $"| intake | {posts.PerSecond:F0} | {posts.Ms(50)} / {posts.Ms(99)} ({posts.Failures}) | {used.ProcessCpu[0].TotalMilliseconds / n:F2} | {used.Harness.TotalMilliseconds / n:F2} | {used.Transactions / n:F2} | {used.Reads / n:F2} | {used.Allocated / n / 1024:F0} |");
    }
}
