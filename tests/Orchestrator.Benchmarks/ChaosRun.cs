using System.Diagnostics;

namespace Orchestrator.Benchmarks;

/// <summary>
/// Tasks over RabbitMQ and PostgreSQL with two Workers, while the simulators fail 20 % of calls before any effect
/// and 10 % of payments after the charge (the answer is lost), with latency; one Worker is killed with SIGKILL and
/// restarted, and RabbitMQ is restarted once. Then the saga table, read through the Api, is reconciled against
/// the Payment Manager's ledger. Exit code 0 only when every task is final and nothing is over budget, charged
/// twice or mismatched.
/// </summary>
static class ChaosRun
{
    static readonly TimeSpan Limit = TimeSpan.FromMinutes(15);

    public static async Task<int> RunAsync(string repository, int tasks)
    {
        await using var deployment = await Deployment.StartAsync(repository, workers: 2, new Dictionary<string, string>
        {
            ["MAX_RETRIES"] = "3",
            ["RETRY_DELAY"] = "0.05",
            ["HTTP_TIMEOUT"] = "2",
            ["Recovery__StallAfter"] = "00:00:20",
            ["Recovery__SweepInterval"] = "00:00:05",
        });
        var behaviour = deployment.Simulators.Behaviour;
        behaviour.Latency = TimeSpan.FromMilliseconds(20);
        behaviour.FailureRateBeforeEffect = 0.2;
        behaviour.FailureRateAfterEffect = 0.1;

        using var http = new HttpClient { BaseAddress = deployment.Api.Address };
        var load = new Load(http);
        var clock = Stopwatch.StartNew();
        await load.SubmitFlatOutAsync(clients: 8, TimeSpan.FromMinutes(5), maxTasks: tasks);
        Console.WriteLine($"   {load.TaskIds.Count} tasks submitted in {clock.Elapsed.TotalSeconds:F1} s");

        // A task buys about three items: the faults come while payments are being made, early and midway.
        var ledger = deployment.Simulators.Ledger;
        await WaitUntilAsync(() => ledger.Charges.Count >= tasks / 3, clock);
        Console.WriteLine($"   {clock.Elapsed.TotalSeconds,5:F1} s: worker-1 killed with SIGKILL after {ledger.Charges.Count} charges");
        var restarted = RestartWorkerAsync();

        await WaitUntilAsync(() => ledger.Charges.Count >= tasks, clock);
        Console.WriteLine($"   {clock.Elapsed.TotalSeconds,5:F1} s: RabbitMQ restarting after {ledger.Charges.Count} charges");
        await RestartRabbitMqAsync();
        Console.WriteLine($"   {clock.Elapsed.TotalSeconds,5:F1} s: RabbitMQ restarted");
        await restarted;

        async Task RestartWorkerAsync()
        {
            await deployment.KillAndRestartAsync(1);
            Console.WriteLine($"   {clock.Elapsed.TotalSeconds,5:F1} s: worker-1 restarted");
        }

        IReadOnlyList<TaskSnapshot> final;
        while ((final = await load.SnapshotAsync()).Any(t => !t.IsFinal) && clock.Elapsed < Limit)
            await Task.Delay(TimeSpan.FromSeconds(1));
        return Reconcile(final, ledger.Charges, clock.Elapsed);
    }

    static async Task WaitUntilAsync(Func<bool> condition, Stopwatch clock)
    {
        while (!condition() && clock.Elapsed < Limit)
            await Task.Delay(TimeSpan.FromMilliseconds(100));
    }

    static int Reconcile(IReadOnlyList<TaskSnapshot> tasks, IReadOnlyList<Simulators.LedgerCharge> charges, TimeSpan elapsed)
    {
        // Every purchase's key is "<task id, 32 hex digits>-<item id>".
        var chargedTwice = charges.GroupBy(c => c.IdempotencyKey).Count(g => g.Key is null || g.Count() > 1);
        var ledger = charges
            .Where(c => c.IdempotencyKey is { Length: > 32 })
            .GroupBy(c => Guid.ParseExact(c.IdempotencyKey![..32], "N"))
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Amount));
        var final = tasks.Count(t => t.IsFinal);
        var overBudget = tasks.Count(t => t.Spent > t.Budget || ledger.GetValueOrDefault(t.TaskId) > t.Budget);
        var mismatched = tasks.Count(t => t.Spent != ledger.GetValueOrDefault(t.TaskId));
        var unknown = ledger.Keys.Except(tasks.Select(t => t.TaskId)).Count();

        Console.WriteLine($"   finished in {elapsed.TotalSeconds:F0} s; {charges.Count} charges, {charges.Sum(c => c.Amount)} paid in all");
        foreach (var group in tasks.GroupBy(t => t.Error is null ? t.Status : $"{t.Status} ({t.Error})").OrderBy(g => g.Key, StringComparer.Ordinal))
            Console.WriteLine($"   {group.Key}: {group.Count()}");
        Console.WriteLine();
        Console.WriteLine("| tasks final / total | over budget | purchases charged twice | spent ≠ ledger | charges of unknown tasks |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        Console.WriteLine($"| {final} / {tasks.Count} | {overBudget} | {chargedTwice} | {mismatched} | {unknown} |");
        return final == tasks.Count && overBudget == 0 && chargedTwice == 0 && mismatched == 0 && unknown == 0 ? 0 : 1;
    }

    static async Task RestartRabbitMqAsync()
    {
        await RabbitMqCtlAsync("stop_app");
        await Task.Delay(TimeSpan.FromSeconds(2));
        await RabbitMqCtlAsync("start_app");
    }

    static async Task RabbitMqCtlAsync(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("rabbitmqctl", ["-q", command]) { RedirectStandardOutput = true })!;
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"rabbitmqctl {command} exited with {process.ExitCode}");
    }
}
