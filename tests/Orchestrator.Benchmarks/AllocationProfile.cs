using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Orchestrator.Benchmarks;

/// <summary>
/// What a workflow allocates: the embedded default warmed up as <see cref="ProfileRun"/> does, then a burst recorded
/// with the runtime's allocation sampling (an event about every 100 KB allocated, with the type and the stack, as
/// <c>dotnet-trace --profile gc-verbose</c> records it), reduced to KiB per workflow by type, by component of the
/// frame that allocated, and by component anywhere on the stack. The trace is kept
/// (<c>artifacts/profile/allocations.nettrace</c>).
/// </summary>
static class AllocationProfile
{
    public static async Task<int> RunAsync(string repository, int tasks, int warmUp)
    {
        var folder = Path.Combine(repository, "artifacts", "profile");
        Directory.CreateDirectory(folder);
        var trace = Path.Combine(folder, "allocations.nettrace");

        await using var deployment = await Deployment.StartAsync(repository, workers: 0);
        using var http = new HttpClient { BaseAddress = deployment.Api.Address, Timeout = Latencies.Unanswered };
        await ProfileRun.WarmUpAsync(http, warmUp);

        var providers = new[]
        {
            new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Verbose, (long)ClrTraceEventParser.Keywords.GC),
        };
        var (workflows, completed, submitted, _) = await ProfileRun.RecordBurstAsync(deployment.Api, http, providers, trace, tasks);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{completed} of {submitted} workflows in {workflows.Elapsed.TotalSeconds:F1} s; trace {trace}"));
        Console.WriteLine(Reduce(trace, Math.Max(completed, 1)));
        return completed == submitted ? 0 : 1;
    }

    /// <summary>The trace's allocations per workflow; only those with a frame containing <paramref name="under"/> when given.</summary>
    public static string Reduce(string trace, int workflows, string? under = null)
    {
        var etlx = Path.ChangeExtension(trace, ".etlx");
        File.Delete(etlx);
        using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(trace, etlx));
        var byType = new Dictionary<string, long>(StringComparer.Ordinal);
        var byAllocator = new Dictionary<string, long>(StringComparer.Ordinal);
        var byAllocatorMethod = new Dictionary<string, long>(StringComparer.Ordinal);
        var byComponent = new Dictionary<string, long>(StringComparer.Ordinal);
        var byMethod = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        foreach (var sample in log.Events)
        {
            if (sample is not GCAllocationTickTraceData tick)
                continue;
            var frames = new List<string>();
            for (var frame = sample.CallStack(); frame is not null; frame = frame.Caller)
                frames.Add(ProfileRun.Name(frame.CodeAddress));
            if (under is not null && !frames.Exists(f => f.Contains(under, StringComparison.Ordinal)))
                continue;
            var bytes = tick.AllocationAmount64;
            total += bytes;
            Add(byType, tick.TypeName, bytes);
            // The allocator: the first frame outside the runtime's own collections, strings and tasks.
            var allocator = frames.FirstOrDefault(f => ProfileRun.Component(f) is not (".NET libraries (other)" or "runtime (GC, type system, stubs)" or "other"))
                ?? frames.FirstOrDefault() ?? "?";
            Add(byAllocator, ProfileRun.Component(allocator), bytes);
            Add(byAllocatorMethod, $"{allocator} ({tick.TypeName})", bytes);
            foreach (var component in frames.Select(ProfileRun.Component).Distinct())
                Add(byComponent, component, bytes);
            foreach (var method in frames.Where(f => f.StartsWith("Orchestrator.", StringComparison.Ordinal) || f.StartsWith("MassTransit.", StringComparison.Ordinal)
                         || f.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal)).Distinct())
                Add(byMethod, method, bytes);
        }

        var table = new System.Text.StringBuilder();
        table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{total / 1024.0 / workflows:F0} KiB sampled per workflow"));
        foreach (var (title, counts, top) in new[] { ("type", byType, 25), ("allocating component", byAllocator, 20), ("allocating method (type)", byAllocatorMethod, 40), ("component anywhere on the stack", byComponent, 20), ("method anywhere on the stack", byMethod, 30) })
        {
            table.AppendLine();
            table.AppendLine($"| {title} | KiB / workflow | % |");
            table.AppendLine("|---|---:|---:|");
            foreach (var (key, bytes) in counts.OrderByDescending(c => c.Value).Take(top))
                table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| `{key}` | {bytes / 1024.0 / workflows:F1} | {100.0 * bytes / Math.Max(total, 1):F1} |"));
        }

        return table.ToString();
    }

    static void Add(Dictionary<string, long> counts, string key, long bytes) => counts[key] = counts.GetValueOrDefault(key) + bytes;
}
