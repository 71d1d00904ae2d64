using System.Diagnostics.Tracing;
using System.Globalization;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers;

namespace Orchestrator.Benchmarks;

/// <summary>
/// Where a workflow's CPU goes: the embedded default (the Api with the workflow, SQLite, the in-memory bus; the
/// simulators answer from the harness), warmed up with 300 tasks, then a burst of tasks recorded by EventPipe's
/// sample profiler (every managed thread's stack, each millisecond, as <c>dotnet-trace --profile cpu-sampling</c>
/// records it) and reduced with TraceEvent to tables: CPU by component, exclusive (the frame running) and inclusive
/// (anywhere on the stack), and the top methods. Samples of threads waiting (a lock, a socket, a timer, an idle pool
/// thread) are not CPU and are left out. The trace is kept (<c>artifacts/profile/workflows.nettrace</c>).
/// </summary>
static class ProfileRun
{
    const string SampleProfiler = "Microsoft-DotNETCore-SampleProfiler";

    /// <summary>Frames that mean the thread is waiting, not running.</summary>
    static readonly string[] Waiting =
    [
        "WaitHandle.Wait", "Monitor.Wait", "Thread.Sleep", "LowLevelLifoSemaphore", "SocketAsyncEngine.EventLoop",
        "ManualResetEventSlim.Wait", "SemaphoreSlim.Wait", "Thread.Join", "PortableThreadPool+GateThread", "LowLevelMonitor.Wait",
        "WaitSubsystem", "Interop+Sys.WaitForSocketEvents", "TimerQueue.TimerThread", "Console", "SpinWait",
        "FileSystemWatcher", "Monitor.Enter_Slowpath", "PollGCWorker",
    ];

    /// <summary>Frames that mean waiting when they are the one running (the thread is parked in native code there).</summary>
    static readonly string[] WaitingOnTop = ["WorkerThreadStart", "?!?", "ReleaseSemaphore"];

    /// <summary>The component of a method, by the start of its full name (the first that matches).</summary>
    static readonly (string Prefix, string Component)[] Components =
    [
        ("Microsoft.EntityFrameworkCore", "EF Core"),
        ("Microsoft.Data.Sqlite", "SQLite"),
        ("SQLitePCL", "SQLite"),
        ("MassTransit", "MassTransit"),
        ("Microsoft.AspNetCore.Server.Kestrel", "Kestrel"),
        ("Microsoft.AspNetCore", "ASP.NET Core (routing, endpoints)"),
        ("System.Net.Http", "HttpClient"),
        ("Refit", "Refit"),
        ("Polly", "Polly / resilience"),
        ("Microsoft.Extensions.Http", "Polly / resilience"),
        ("OpenTelemetry", "OpenTelemetry"),
        ("System.Diagnostics.Activity", "OpenTelemetry"),
        ("System.Diagnostics.Metrics", "OpenTelemetry"),
        ("Serilog", "Serilog"),
        ("Microsoft.Extensions.Logging", "logging"),
        ("System.Text.Json", "System.Text.Json"),
        ("Microsoft.Extensions.DependencyInjection", "dependency injection"),
        ("Nethereum", "Nethereum"),
        ("Orchestrator.", "our code"),
    ];

    /// <summary>
    /// The same burst recorded by Linux <c>perf</c> instead (every thread, native code, the kernel and the garbage
    /// collector included; JIT-compiled code named through the runtime's perf map), reduced by <c>perf report</c>
    /// to CPU by library and the top symbols. The recording is kept (<c>artifacts/profile/workflows.perf.data</c>).
    /// </summary>
    public static async Task<int> RunPerfAsync(string repository, int tasks, int warmUpTasks)
    {
        var folder = Path.Combine(repository, "artifacts", "profile");
        Directory.CreateDirectory(folder);
        var data = Path.Combine(folder, "workflows.perf.data");
        NameJitCodeForPerf();

        await using var deployment = await Deployment.StartAsync(repository, workers: 0);
        var api = deployment.Api;
        using var http = new HttpClient { BaseAddress = api.Address, Timeout = Latencies.Unanswered };
        await WarmUpAsync(http, warmUpTasks);

        var cpuBefore = api.Cpu();
        using var perf = await StartPerfAsync(api.Id, data);
        var burst = new Load(http);
        await burst.SubmitFlatOutAsync(clients: 32, TimeSpan.FromMinutes(2), maxTasks: tasks);
        var (workflows, completed) = await burst.WaitForAllAsync(burst.TaskIds, TimeSpan.FromMinutes(15));
        var cpu = api.Cpu() - cpuBefore;
        await StopPerfAsync(perf);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{completed} of {burst.TaskIds.Count} workflows in {workflows.Elapsed.TotalSeconds:F1} s; Api CPU {cpu.TotalMilliseconds / Math.Max(completed, 1):F1} ms per workflow (perf on); recording {data}"));
        Console.WriteLine(PerfByComponent(await PerfReportAsync(data, "dso,sym", limit: "0"), Math.Max(completed, 1), cpu));
        Console.WriteLine(await PerfReportAsync(data, "dso,sym", limit: "0.4"));
        return completed == burst.TaskIds.Count ? 0 : 1;
    }

    /// <summary>The hosts started next write the runtime's perf map, and their JIT-compiled code is mapped once (W^X off), so perf names it.</summary>
    public static void NameJitCodeForPerf()
    {
        Environment.SetEnvironmentVariable("BENCHMARK_SERVICES_DOTNET_PerfMapEnabled", "1");
        Environment.SetEnvironmentVariable("BENCHMARK_SERVICES_DOTNET_EnableWriteXorExecute", "0");
    }

    public static async Task<System.Diagnostics.Process> StartPerfAsync(int pid, string data)
    {
        var perf = System.Diagnostics.Process.Start("perf",
            ["record", "-F", "999", "-g", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", data, "--quiet"])!;
        await Task.Delay(500);
        return perf;
    }

    public static async Task StopPerfAsync(System.Diagnostics.Process perf)
    {
        using (var interrupt = System.Diagnostics.Process.Start("kill", ["-INT", perf.Id.ToString(CultureInfo.InvariantCulture)]))
            await interrupt!.WaitForExitAsync();
        await perf.WaitForExitAsync();
    }

    /// <summary>
    /// perf's samples by component, exclusive (the frame running): native libraries by name, JIT-compiled code by the
    /// assembly that owns the method (the bracket followed by a space in the runtime's perf map names), scaled to the
    /// process's CPU per workflow.
    /// </summary>
    static string PerfByComponent(string report, int workflows, TimeSpan cpu, string per = "workflow")
    {
        var shares = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in report.Split('\n'))
        {
            var match = System.Text.RegularExpressions.Regex.Match(line, @"^\s*([0-9.]+)%\s+(.+?)\s+\[(.)\]\s+(.*)$");
            if (!match.Success)
                continue;
            var (percent, dso, symbol) = (double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value, match.Groups[4].Value);
            var component = dso switch
            {
                _ when match.Groups[3].Value == "k" || dso.Contains("kernel", StringComparison.Ordinal) => "kernel (syscalls, scheduling, page cache)",
                _ when dso.Contains("sqlite", StringComparison.Ordinal) => "SQLite (native)",
                _ when dso.StartsWith("libcoreclr", StringComparison.Ordinal) => "runtime (GC, casts, stubs)",
                _ when dso.StartsWith("libclrjit", StringComparison.Ordinal) => "JIT",
                _ when dso.StartsWith("libc", StringComparison.Ordinal) || dso.StartsWith("ld-linux", StringComparison.Ordinal) => "libc (malloc, memcpy)",
                _ when System.Text.RegularExpressions.Regex.Match(symbol, @"\[([^\]]+)\] ") is { Success: true } owner => Component(owner.Groups[1].Value + "."),
                _ => "other",
            };
            shares[component] = shares.GetValueOrDefault(component) + percent;
        }

        var perWorkflow = cpu.TotalMilliseconds / workflows;
        var table = new System.Text.StringBuilder();
        table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"CPU by component, exclusive, of {perWorkflow:F2} ms per {per}"));
        table.AppendLine();
        table.AppendLine($"| component | % of samples | ms / {per} |");
        table.AppendLine("|---|---:|---:|");
        foreach (var (component, percent) in shares.OrderByDescending(c => c.Value))
            table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {component} | {percent:F1} | {perWorkflow * percent / 100:F2} |"));
        return table.ToString();
    }

    /// <summary>A kept perf recording reduced again: <paramref name="cpu"/> is the Api's CPU over it, as the run printed it.</summary>
    public static async Task<string> ReducePerfAsync(string data, int workflows, TimeSpan cpu, string per = "workflow") =>
        PerfByComponent(await PerfReportAsync(data, "dso,sym", limit: "0"), workflows, cpu, per);

    public static async Task<string> PerfReportAsync(string data, string sort, string limit)
    {
        var start = new System.Diagnostics.ProcessStartInfo("perf",
            ["report", "-i", data, "--stdio", "--no-children", "--sort", sort, "-g", "none", "--percent-limit", limit])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var report = System.Diagnostics.Process.Start(start)!;
        var text = await report.StandardOutput.ReadToEndAsync();
        await report.WaitForExitAsync();
        return string.Join('\n', text.Split('\n').Where(l => l.Length > 0 && (!l.StartsWith('#') || l.StartsWith("# Samples", StringComparison.Ordinal))));
    }

    public static async Task<int> RunAsync(string repository, int tasks)
    {
        var folder = Path.Combine(repository, "artifacts", "profile");
        Directory.CreateDirectory(folder);
        var trace = Path.Combine(folder, "workflows.nettrace");

        await using var deployment = await Deployment.StartAsync(repository, workers: 0);
        var api = deployment.Api;
        using var http = new HttpClient { BaseAddress = api.Address, Timeout = Latencies.Unanswered };
        await WarmUpAsync(http, 300);

        var providers = new[]
        {
            new EventPipeProvider(SampleProfiler, EventLevel.Informational),
            new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational,
                (long)(ClrTraceEventParser.Keywords.Jit | ClrTraceEventParser.Keywords.Loader)),
        };
        var (workflows, completed, submitted, cpu) = await RecordBurstAsync(api, http, providers, trace, tasks);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{completed} of {submitted} workflows in {workflows.Elapsed.TotalSeconds:F1} s; Api CPU {cpu.TotalMilliseconds / Math.Max(completed, 1):F1} ms per workflow (with the profiler on); trace {trace}"));
        Console.WriteLine(Reduce(trace, Math.Max(completed, 1)));
        return completed == submitted ? 0 : 1;
    }

    /// <summary>
    /// A burst of <paramref name="tasks"/> from 32 clients, recorded by an EventPipe session of <paramref name="providers"/>
    /// on the Api into <paramref name="trace"/>; with the Api's CPU over it.
    /// </summary>
    internal static async Task<(Latencies Workflows, int Completed, int Submitted, TimeSpan ApiCpu)> RecordBurstAsync(
        ServiceProcess api, HttpClient http, EventPipeProvider[] providers, string trace, int tasks)
    {
        var cpuBefore = api.Cpu();
        using var session = new DiagnosticsClient(api.Id).StartEventPipeSession(providers, requestRundown: true);
        var recording = Task.Run(async () =>
        {
            await using var file = File.Create(trace);
            await session.EventStream.CopyToAsync(file);
        });
        var burst = new Load(http);
        await burst.SubmitFlatOutAsync(clients: 32, TimeSpan.FromMinutes(2), maxTasks: tasks);
        var (workflows, completed) = await burst.WaitForAllAsync(burst.TaskIds, TimeSpan.FromMinutes(15));
        var cpu = api.Cpu() - cpuBefore;
        await session.StopAsync(CancellationToken.None);
        await recording;
        return (workflows, completed, burst.TaskIds.Count, cpu);
    }

    /// <summary>Runs <paramref name="tasks"/> workflows from 8 clients first, so that the recorded burst runs warm.</summary>
    internal static async Task WarmUpAsync(HttpClient http, int tasks)
    {
        var warmUp = new Load(http);
        await warmUp.SubmitFlatOutAsync(clients: 8, TimeSpan.FromMinutes(2), maxTasks: tasks);
        await warmUp.WaitForAllAsync(warmUp.TaskIds);
    }

    /// <summary>The trace's CPU samples as tables, in ms of samples per workflow (one sample: about 1 ms of one thread).</summary>
    public static string Reduce(string trace, int workflows)
    {
        var etlx = Path.ChangeExtension(trace, ".etlx");
        File.Delete(etlx);
        using var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(trace, etlx));
        var exclusive = new Dictionary<string, int>(StringComparer.Ordinal);
        var inclusive = new Dictionary<string, int>(StringComparer.Ordinal);
        var methodsExclusive = new Dictionary<string, int>(StringComparer.Ordinal);
        var methodsInclusive = new Dictionary<string, int>(StringComparer.Ordinal);
        int running = 0, waiting = 0;
        var jitted = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var sample in log.Events)
        {
            if (sample is Microsoft.Diagnostics.Tracing.Parsers.Clr.MethodLoadUnloadVerboseTraceData loaded)
            {
                Add(jitted, $"{loaded.MethodNamespace}.{loaded.MethodName} ({loaded.OptimizationTier})");
                continue;
            }

            if (sample.ProviderName != SampleProfiler || sample.CallStack() is not { } stack)
                continue;
            var frames = new List<string>();
            for (var frame = stack; frame is not null; frame = frame.Caller)
                frames.Add(Name(frame.CodeAddress));
            if (frames.Exists(f => Waiting.Any(w => f.Contains(w, StringComparison.Ordinal)))
                || WaitingOnTop.Any(w => frames[0].Contains(w, StringComparison.Ordinal)))
            {
                waiting++;
                continue;
            }

            running++;
            Add(exclusive, Component(frames[0]));
            Add(methodsExclusive, frames[0]);
            foreach (var component in frames.Select(Component).Distinct())
                Add(inclusive, component);
            foreach (var method in frames.Distinct())
                Add(methodsInclusive, method);
        }

        var table = new System.Text.StringBuilder();
        table.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"{running} running samples ({running / (double)workflows:F1} ms per workflow), {waiting} waiting samples left out"));
        table.AppendLine();
        table.AppendLine("| component | exclusive ms / workflow | exclusive % | inclusive ms / workflow | inclusive % |");
        table.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var (component, count) in exclusive.OrderByDescending(c => c.Value))
        {
            var all = inclusive.GetValueOrDefault(component);
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {component} | {count / (double)workflows:F2} | {100.0 * count / running:F1} | {all / (double)workflows:F2} | {100.0 * all / running:F1} |"));
        }

        foreach (var (title, methods) in new[] { ("exclusive", methodsExclusive), ("inclusive", methodsInclusive) })
        {
            table.AppendLine();
            table.AppendLine($"| top methods, {title} | ms / workflow | % |");
            table.AppendLine("|---|---:|---:|");
            foreach (var (method, count) in methods.OrderByDescending(m => m.Value).Take(25))
                table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| `{method}` | {count / (double)workflows:F2} | {100.0 * count / running:F1} |"));
        }

        table.AppendLine();
        table.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"{jitted.Values.Sum()} methods compiled by the JIT while recording ({jitted.Values.Sum() / (double)workflows:F2} per workflow); most compiled:"));
        table.AppendLine();
        table.AppendLine("| method (tier) | times compiled |");
        table.AppendLine("|---|---:|");
        foreach (var (method, count) in jitted.OrderByDescending(m => m.Value).Take(25))
            table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| `{(method.Length > 140 ? method[..140] : method)}` | {count} |"));
        return table.ToString();
    }

    internal static string Name(TraceCodeAddress address)
    {
        var method = address.FullMethodName;
        if (!string.IsNullOrEmpty(method))
            return method.Length > 120 ? method[..120] : method;
        return $"{(string.IsNullOrEmpty(address.ModuleName) ? "?" : address.ModuleName)}!?";
    }

    internal static string Component(string frame)
    {
        foreach (var (prefix, component) in Components)
        {
            if (frame.StartsWith(prefix, StringComparison.Ordinal))
                return component;
        }

        return frame switch
        {
            _ when frame.StartsWith("libcoreclr", StringComparison.Ordinal) || frame.StartsWith("coreclr", StringComparison.Ordinal) => "runtime (GC, type system, stubs)",
            _ when frame.StartsWith("libclrjit", StringComparison.Ordinal) => "JIT",
            _ when frame.Contains("sqlite", StringComparison.OrdinalIgnoreCase) => "SQLite",
            _ when frame.StartsWith("System.", StringComparison.Ordinal) => ".NET libraries (other)",
            _ => "other",
        };
    }

    static void Add(Dictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;
}
