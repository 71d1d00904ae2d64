using System.Globalization;
using Orchestrator.Benchmarks;

// Figures for docs/performance.md: POST /tasks throughput and latency, workflows completed per second, CPU, memory.
// Modes: intake (POST /tasks with no workflow running), embedded (one process, in-memory bus, SQLite), embedded-slow
// (the same, simulators answering after 50 ms), rabbitmq-1 and rabbitmq-2 (Api + 1 or 2 Workers on RabbitMQ and
// PostgreSQL: run .ci/benchmark.sh, which starts them). The simulators answer at once but in embedded-slow and intake.
// "chaos [tasks]" is the chaos run instead (.ci/chaos.sh); "watch [modes]" the burst with every task's progress
// stream open (.ci/benchmark.sh watch); "profile [tasks]" where the embedded default's CPU goes, "profile --perf" the same
// with Linux perf, "profile --allocations" what it allocates (docs/performance.md); "intake --profile" and
// "intake --allocations" (or "intake --perf") the same for POST /tasks alone; "floor" what the parts of a workflow cost alone.
var repository = AppContext.BaseDirectory;
while (!File.Exists(Path.Combine(repository, "Orchestrator.sln")))
    repository = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(repository))!;

if (args is ["chaos", .. var chaos])
    return await ChaosRun.RunAsync(repository, chaos.Length > 0 ? int.Parse(chaos[0], CultureInfo.InvariantCulture) : 300);

if (args is ["profile", "--reduce", var recorded, var workflowCount])
{
    Console.WriteLine(ProfileRun.Reduce(recorded, int.Parse(workflowCount, CultureInfo.InvariantCulture)));
    return 0;
}

if (args is ["profile", "--reduce-perf", var perfData, var perfWorkflows, var cpuMsPerWorkflow])
{
    var count = int.Parse(perfWorkflows, CultureInfo.InvariantCulture);
    Console.WriteLine(await ProfileRun.ReducePerfAsync(perfData, count,
        TimeSpan.FromMilliseconds(count * double.Parse(cpuMsPerWorkflow, CultureInfo.InvariantCulture))));
    return 0;
}

if (args is ["profile", "--perf", .. var perfTasks])
    return await ProfileRun.RunPerfAsync(repository, perfTasks.Length > 0 ? int.Parse(perfTasks[0], CultureInfo.InvariantCulture) : 1000,
        warmUpTasks: perfTasks.Length > 1 ? int.Parse(perfTasks[1], CultureInfo.InvariantCulture) : 300);

if (args is ["profile", "--reduce-allocations", var allocations, var allocationWorkflows, .. var under])
{
    Console.WriteLine(AllocationProfile.Reduce(allocations, int.Parse(allocationWorkflows, CultureInfo.InvariantCulture), under.FirstOrDefault()));
    return 0;
}

if (args is ["profile", "--allocations", .. var allocationTasks])
    return await AllocationProfile.RunAsync(repository, allocationTasks.Length > 0 ? int.Parse(allocationTasks[0], CultureInfo.InvariantCulture) : 1000,
        warmUp: allocationTasks.Length > 1 ? int.Parse(allocationTasks[1], CultureInfo.InvariantCulture) : 1000);

if (args is ["profile", .. var profiled])
    return await ProfileRun.RunAsync(repository, profiled.Length > 0 ? int.Parse(profiled[0], CultureInfo.InvariantCulture) : 1000);

if (args is ["intake", "--profile" or "--allocations" or "--perf"])
{
    Console.WriteLine(await IntakeRun.RunAsync(repository, profile: args[1]));
    return 0;
}

if (args is ["floor", .. var floorOperations])
    return await FloorRun.RunAsync(floorOperations.Length > 0 ? int.Parse(floorOperations[0], CultureInfo.InvariantCulture) : 20_000);

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

var modes = args.Length > 0 ? args : ["intake", "embedded", "embedded-slow", "rabbitmq-1", "rabbitmq-2"];
var rows = new List<string>();
string? intakeRow = null;
foreach (var mode in modes)
{
    Console.WriteLine($"== {mode}");
    if (mode == "intake")
    {
        intakeRow = await IntakeRun.RunAsync(repository, profile: null);
        Console.WriteLine(IntakeRun.Header);
        Console.WriteLine(intakeRow);
        continue;
    }

    rows.Add(await BenchmarkRun.RunAsync(repository, mode));
    Console.WriteLine(BenchmarkRun.Header);
    Console.WriteLine(rows[^1]);
}

Console.WriteLine();
Console.WriteLine($"Machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}");
if (intakeRow is not null)
{
    Console.WriteLine(IntakeRun.Header);
    Console.WriteLine(intakeRow);
}

if (rows.Count > 0)
{
    Console.WriteLine(BenchmarkRun.Header);
    rows.ForEach(Console.WriteLine);
}

return 0;
