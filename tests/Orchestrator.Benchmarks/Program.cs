using System.Globalization;
using Orchestrator.Benchmarks;

// Figures for the README: POST /tasks throughput and latency, workflows completed per second, CPU, memory.
// Modes: embedded (one process, in-memory bus, SQLite), rabbitmq-1 and rabbitmq-2 (Api + 1 or 2 Workers on
// RabbitMQ and PostgreSQL: run .ci/benchmark.sh, which starts them). The simulators answer at once.
// "chaos [tasks]" is the chaos run instead (.ci/chaos.sh); "watch [modes]" the burst with every task's progress
// stream open (.ci/benchmark.sh watch).
var repository = AppContext.BaseDirectory;
while (!File.Exists(Path.Combine(repository, "Orchestrator.sln")))
    repository = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(repository))!;

if (args is ["chaos", .. var chaos])
    return await ChaosRun.RunAsync(repository, chaos.Length > 0 ? int.Parse(chaos[0], CultureInfo.InvariantCulture) : 300);

if (args is ["watch", .. var watched])
{
    const string StreamsHeader = """
        | mode | tasks, each watched | streams open at once (max) | streams that ended with final | workflows per s, unwatched → watched | p50 ms change → client | p99 ms | Api peak RSS MiB, unwatched → watched |
        |---|---:|---:|---:|---:|---:|---:|---|
        """;
    var streamRows = new List<string>();
    foreach (var mode in watched.Length > 0 ? watched : ["embedded", "rabbitmq-1"])
    {
        Console.WriteLine($"== watch {mode}");
        streamRows.Add(await StreamsRun.RunAsync(repository, mode));
        Console.WriteLine(streamRows[^1]);
    }

    Console.WriteLine(StreamsHeader);
    streamRows.ForEach(Console.WriteLine);
    return 0;
}

var modes = args.Length > 0 ? args : ["embedded", "rabbitmq-1", "rabbitmq-2"];

const string Header = """
    | mode | POST /tasks per s (32 clients) | p50 ms | p99 ms | p99 ms at 1,000/s (unanswered in 30 s) | workflows per s | p50 s submit→done | p99 s | CPU ms per workflow | peak RSS MiB |
    |---|---:|---:|---:|---:|---:|---:|---:|---|---|
    """;
var rows = new List<string>();
foreach (var mode in modes)
{
    Console.WriteLine($"== {mode}");
    rows.Add(await RunAsync(mode));
    Console.WriteLine(Header);
    Console.WriteLine(rows[^1]);
}

Console.WriteLine();
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
Console.WriteLine(Header);
rows.ForEach(Console.WriteLine);
return 0;

async Task<string> RunAsync(string mode)
{
    await using var deployment = await Deployment.StartAsync(repository, workers: mode switch { "rabbitmq-1" => 1, "rabbitmq-2" => 2, _ => 0 });
    var processes = deployment.Processes;
    using var http = new HttpClient { BaseAddress = processes[0].Address, Timeout = TimeSpan.FromSeconds(30) };
    var warmUp = new Load(http);
    await warmUp.SubmitFlatOutAsync(clients: 8, TimeSpan.FromSeconds(2), maxTasks: 300);
    await warmUp.WaitForAllAsync(warmUp.TaskIds);

    var flatOut = new Load(http);
    var posts = await flatOut.SubmitFlatOutAsync(clients: 32, TimeSpan.FromSeconds(5), maxTasks: 20_000);
    Console.WriteLine($"   {posts.Count} POST /tasks in {posts.Elapsed.TotalSeconds:F1} s; waiting for their workflows");
    await flatOut.WaitForAllAsync(flatOut.TaskIds);

    var paced = new Load(http);
    var atRate = await paced.SubmitAtRateAsync(perSecond: 1000, TimeSpan.FromSeconds(3));
    await paced.WaitForAllAsync(paced.TaskIds);

    var burst = new Load(http);
    var (machineBefore, processesBefore) = (MachineCpu.Busy(), processes.Select(p => p.Cpu()).ToList());
    await burst.SubmitFlatOutAsync(clients: 32, TimeSpan.FromMinutes(1), maxTasks: 1000);
    var (workflows, completed) = await burst.WaitForAllAsync(burst.TaskIds);
    Console.WriteLine($"   {completed} of {workflows.Count} workflows completed in {workflows.Elapsed.TotalSeconds:F1} s");

    // CPU per workflow over the burst (its polling included): each host, and the whole machine, which also
    // runs the broker, the database, the simulators and this load generator.
    var perWorkflow = (TimeSpan used) => used.TotalMilliseconds / workflows.Count;
    var cpu = string.Join(", ", processes.Select((p, i) => $"{p.Name} {perWorkflow(p.Cpu() - processesBefore[i]):F1}"))
        + $", machine {perWorkflow(MachineCpu.Busy() - machineBefore):F1}";

    var memory = string.Join(", ", processes.Select(p => $"{p.Name} {p.MemoryMiB().Peak:F0}"));
    return string.Create(CultureInfo.InvariantCulture,
        $"| {mode} | {posts.PerSecond:F0} | {posts.Percentile(50).TotalMilliseconds:F1} | {posts.Percentile(99).TotalMilliseconds:F1} | {atRate.Percentile(99).TotalMilliseconds:F1}{(atRate.Failures > 0 ? $" ({atRate.Failures})" : "")} | {completed / workflows.Elapsed.TotalSeconds:F0} | {workflows.Percentile(50).TotalSeconds:F2} | {workflows.Percentile(99).TotalSeconds:F2} | {cpu} | {memory} |");
}
