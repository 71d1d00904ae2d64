using System.Globalization;

namespace Orchestrator.Benchmarks;

/// <summary>
/// One mode of the benchmark, in phases: idle; <c>POST /tasks</c> flat out from 32 clients for 5 s; 1,000/s offered
/// for 3 s (open loop, timed from each request's due time, while the workflows of those tasks run); a burst of
/// 1,000 workflows measured from submission to the last end. <c>embedded-slow</c> is the embedded mode with the
/// simulators answering after 50 ms and a burst of 2,000 tasks only: every one must complete, memory stay flat.
/// CPU and messages and transactions per workflow are over the burst; peak RSS is per phase.
/// </summary>
static class BenchmarkRun
{
    public const string Header = """
        | mode | workflows per s (completed / tasks) | POST /tasks per s (32 clients) | p50 / p99 ms at 1,000/s offered (unanswered) | Api CPU ms per workflow | services CPU ms per workflow | harness CPU ms per workflow | rest of machine ms per workflow | peak RSS MiB idle / POST / workflows / after | messages per workflow (sent, consumed) | transactions per workflow |
        |---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|
        """;

    public static async Task<string> RunAsync(string repository, string mode)
    {
        var slow = mode == "embedded-slow";
        await using var deployment = await Deployment.StartAsync(repository, workers: mode switch { "rabbitmq-1" => 1, "rabbitmq-2" => 2, _ => 0 });
        if (slow)
            deployment.Simulators.Behaviour.Latency = TimeSpan.FromMilliseconds(50);
        var processes = deployment.Processes;
        var api = processes[0];
        using var http = new HttpClient { BaseAddress = api.Address, Timeout = Latencies.Unanswered };

        var idle = await PeakDuringAsync(api, () => Task.Delay(TimeSpan.FromSeconds(2)));
        // Warm: 3,000 tasks, not the 300 of before. After 300 the hosts were still compiling the request path's methods
        // again (tiered compilation, on cores the load keeps busy), and POST /tasks measured half of what it does warm.
        var warmUp = new Load(http);
        await warmUp.SubmitFlatOutAsync(clients: 8, TimeSpan.FromSeconds(60), maxTasks: slow ? 100 : 3000);
        await warmUp.WaitForAllAsync(warmUp.TaskIds);

        Latencies? posts = null, atRate = null;
        var postPeak = double.NaN;
        if (!slow)
        {
            var flatOut = new Load(http);
            postPeak = await PeakDuringAsync(api, async () => posts = await flatOut.SubmitFlatOutAsync(clients: 32, TimeSpan.FromSeconds(5), maxTasks: 20_000));
            Console.WriteLine($"   {posts!.Count} POST /tasks in {posts.Elapsed.TotalSeconds:F1} s (p50 {posts.Ms(50)}, p99 {posts.Ms(99)} ms, {posts.Failed()}); waiting for their workflows");
            await flatOut.WaitForAllAsync(flatOut.TaskIds);

            var paced = new Load(http);
            atRate = await paced.SubmitAtRateAsync(perSecond: 1000, TimeSpan.FromSeconds(3));
            Console.WriteLine($"   1,000/s offered: {atRate.Count} answered, {atRate.Failed("not")} (counted as 30 s); p50 {atRate.Ms(50)}, p99 {atRate.Ms(99)} ms from the due time");
            await paced.WaitForAllAsync(paced.TaskIds);
        }

        var tasks = slow ? 2000 : 1000;
        var burst = new Load(http);
        var counts = await PhaseCounts.ReadAsync(deployment);
        using var workflowMemory = new PeakMemory(api);
        await burst.SubmitFlatOutAsync(clients: 32, TimeSpan.FromMinutes(2), maxTasks: tasks);
        var (workflows, completed) = await burst.WaitForAllAsync(burst.TaskIds, TimeSpan.FromMinutes(15));
        var workflowPeak = await workflowMemory.StopAsync();
        var used = await PhaseCounts.ReadAsync(deployment) - counts;
        var after = await PeakDuringAsync(api, () => Task.Delay(TimeSpan.FromSeconds(3)));
        var (anonymous, files, shared) = api.MemoryByKindMiB();
        var heap = await MetricsScrape.ReadAsync([api]);
        Console.WriteLine($"   Api RSS after: anonymous {anonymous:F0} MiB (GC heap committed {heap[MetricsScrape.HeapCommitted] / 1024 / 1024:F0}), "
            + $"mapped files {files:F0}, shared {shared:F0} (the runtime's executable memory)");

        Console.WriteLine($"   {completed} of {burst.TaskIds.Count} workflows completed in {workflows.Elapsed.TotalSeconds:F1} s (p50 {workflows.Percentile(50).TotalSeconds:F2} s, p99 {workflows.Percentile(99).TotalSeconds:F2} s submit→done)");
        Console.WriteLine($"   Api RSS over the workflows: first half peak {workflowMemory.Peak(0, 0.5):F0} MiB, second half {workflowMemory.Peak(0.5, 1):F0} MiB; {string.Join(", ", processes.Select(p => $"{p.Name} lifetime peak {p.MemoryMiB().Peak:F0} MiB"))}");
        var n = Math.Max(completed, 1);
        Console.WriteLine($"   CPU ms per workflow: {string.Join(", ", processes.Select((p, i) => $"{p.Name} {used.ProcessCpu[i].TotalMilliseconds / n:F1}"))}; harness {used.Harness.TotalMilliseconds / n:F1}; machine {used.Machine.TotalMilliseconds / n:F1}"
            + (deployment.Postgres is null ? "" : $" (of it RabbitMQ {used.Broker.TotalMilliseconds / n:F1}, PostgreSQL {used.Database.TotalMilliseconds / n:F1})"));
        Console.WriteLine($"   per workflow: {used.Sent / n:F1} messages sent, {used.Consumed / n:F1} consumed, {used.Transactions / n:F1} write transactions; "
            + $"{used.Reads / n:F1} database reads ({(used.Reads - burst.Polls) / n:F1} without the harness's {burst.Polls / (double)n:F1} polls of GET /tasks/{{id}}) "
            + $"and {used.Writes / n:F1} writes; {used.Allocated / n / 1024:F0} KiB allocated"
            + (used.Postgres is { } pg ? $"; PostgreSQL: {pg.Xids / (double)n:F1} transaction ids assigned (writes), {pg.XactCommit / (double)n:F1} commits (reads included)" : ""));

        var services = used.ProcessCpu.Aggregate(TimeSpan.Zero, (a, b) => a + b);
        var rest = used.Machine - services - used.Harness;
        var perSecond = completed / workflows.Elapsed.TotalSeconds;
        PrintTargets(mode, perSecond, (services + used.Harness).TotalMilliseconds / n, posts, atRate, after, used.Transactions / n);
        return string.Create(CultureInfo.InvariantCulture,
            $"| {mode} | {perSecond:F0} ({completed} / {burst.TaskIds.Count}) | {(posts is null ? "–" : posts.PerSecond.ToString("F0", CultureInfo.InvariantCulture))} | {(atRate is null ? "–" : $"{atRate.Ms(50)} / {atRate.Ms(99)}{(atRate.Failures > 0 ? $" ({atRate.Failures})" : "")}")} | {used.ProcessCpu[0].TotalMilliseconds / n:F1} | {services.TotalMilliseconds / n:F1} | {used.Harness.TotalMilliseconds / n:F1} | {rest.TotalMilliseconds / n:F1} | {idle:F0} / {(double.IsNaN(postPeak) ? "–" : postPeak.ToString("F0", CultureInfo.InvariantCulture))} / {workflowPeak:F0} / {after:F0} | {used.Sent / n:F1}, {used.Consumed / n:F1} | {used.Transactions / n:F1} |");
    }

    /// <summary>
    /// Each figure beside its target (the cost-per-workflow targets, for 2 cores). The simulators run in the harness
    /// here, so "CPU per workflow" is the services' and the harness's together, as if the simulators were in process.
    /// </summary>
    static void PrintTargets(string mode, double workflowsPerSecond, double cpuWithSimulators, Latencies? posts, Latencies? atRate, double rssAfter, double transactions)
    {
        var rows = new List<(string Target, string Measured, bool Met)>();
        if (mode == "embedded")
        {
            rows.Add(("≥ 150 workflows/s (1,000-task burst)", $"{workflowsPerSecond:F0}", workflowsPerSecond >= 150));
            rows.Add(("≤ 8 ms CPU per workflow, simulators included", $"{cpuWithSimulators:F1}", cpuWithSimulators <= 8));
            if (posts is not null)
                rows.Add(("POST /tasks ≥ 1,500/s from 32 clients while workflows run", $"{posts.PerSecond:F0}", posts.PerSecond >= 1500));
            if (atRate is not null)
            {
                var p99 = atRate.Percentile(99).TotalMilliseconds;
                rows.Add(("p99 ≤ 50 ms at 1,000/s offered while workflows run", $"{p99:F1} ms", p99 <= 50));
            }

            rows.Add(("RSS after the run ≤ 200 MiB", $"{rssAfter:F0} MiB", rssAfter <= 200));
        }
        else if (mode == "rabbitmq-1")
        {
            rows.Add(("≥ 100 workflows/s (RabbitMQ + PostgreSQL, fsync on, 1 Worker)", $"{workflowsPerSecond:F0}", workflowsPerSecond >= 100));
        }

        rows.Add(("≤ 7 write transactions per workflow", $"{transactions:F1}", transactions <= 7));
        Console.WriteLine("   against the targets:");
        foreach (var (target, measured, met) in rows)
            Console.WriteLine($"     {target}: {measured} ({(met ? "met" : "missed")})");
    }


    static async Task<double> PeakDuringAsync(ServiceProcess process, Func<Task> phase)
    {
        using var memory = new PeakMemory(process);
        await phase();
        return await memory.StopAsync();
    }
}
