using System.Diagnostics;
using System.Globalization;

namespace Orchestrator.Benchmarks;

/// <summary>
/// Tasks over RabbitMQ and PostgreSQL with two Workers, while the simulators fail 20 % of calls before any effect
/// and 10 % of payments after the charge (the answer is lost), with latency; and outages: one Worker is killed with
/// SIGKILL and started again while RabbitMQ is down (it must come up and become ready by itself once the broker is
/// back), and PostgreSQL is restarted while payments are being made. The spending controls are on: a plan above
/// <see cref="ApprovalThreshold"/> (about a third of them) waits until an <see cref="Approver"/> approves it, and the
/// run's owner (every task is the same one's) may spend <see cref="DailyLimitPerTask"/> per task of the run in a UTC
/// day, about 70 % of what the run would spend without a limit, so the limit binds for its later plans. Then the saga
/// table, read through the Api, is reconciled against the Payment Manager's ledger. A failure of the harness itself
/// (a process that does not start or become ready, a command that fails, a timeout) is reported in the table with its
/// reason, never thrown. Exit code 0 only when every task is final, at least 95 % of them Completed, nothing is over
/// budget or over the daily limit, charged twice or mismatched, and the harness met no failure. The marketplace sells
/// its even items over x402 (<see cref="X402Items"/>): their payments are signed by the Workers' wallet, settled by
/// the simulator's own facilitator into the same ledger under the purchase's key, and fail and get lost as the others do.
/// </summary>
static class ChaosRun
{
    static readonly TimeSpan Limit = TimeSpan.FromMinutes(15);
    static readonly TimeSpan BrokerDown = TimeSpan.FromSeconds(10);
    static readonly TimeSpan ReadyLimit = TimeSpan.FromMinutes(2);
    const double MinimumCompleted = 0.95;

    // Budgets are 20 + i % 40 and a plan costs about its budget, as far as its theme's items go (a theme comes with
    // its budgets: i % 5) and the daily limit leaves: above 30, 92 of a run of 300 waited (31 %; above 33, 25 %).
    const int ApprovalThreshold = 30;

    /// <summary>The items sold over x402 in the run: every even one, beside the seed's dialect for the odd ones.</summary>
    static readonly HashSet<int> X402Items = [.. Enumerable.Range(1, 20).Where(id => id % 2 == 0)];

    // A run of 60 without a daily limit paid 1816 (30 per task, 2.8 charges per task): 21 per task is about 70 % of it.
    const int DailyLimitPerTask = 21;

    public static async Task<int> RunAsync(string repository, int tasks)
    {
        var dailyLimit = (long)DailyLimitPerTask * tasks;
        var failures = new List<string>();
        var clock = Stopwatch.StartNew();
        IReadOnlyList<TaskSnapshot> final = [];
        IReadOnlyList<Simulators.LedgerCharge> charges = [];
        Deployment? deployment = null;
        try
        {
            deployment = await Deployment.StartAsync(repository, workers: 2, new Dictionary<string, string>
            {
                ["MAX_RETRIES"] = "3",
                ["RETRY_DELAY"] = "0.05",
                ["HTTP_TIMEOUT"] = "2",
                ["Recovery__StallAfter"] = "00:00:20",
                ["Recovery__SweepInterval"] = "00:00:05",
                ["Recovery__DeferralDelay"] = "00:00:01",
                ["Recovery__DeferralMaxDelay"] = "00:00:15",
                ["Approval__Threshold"] = ApprovalThreshold.ToString(CultureInfo.InvariantCulture),
                ["Spending__DailyLimitPerOwner"] = dailyLimit.ToString(CultureInfo.InvariantCulture),
                ["X402__PrivateKey"] = NewWalletKey(),
            });
            (final, charges) = await RunWithOutagesAsync(deployment, tasks, failures, clock);
        }
        catch (Exception e)
        {
            failures.Add($"{clock.Elapsed.TotalSeconds:F1} s: {Describe(e)}");
        }
        finally
        {
            if (deployment is not null)
                await DisposeQuietlyAsync(deployment, failures);
        }

        return Reconcile(final, charges, dailyLimit, failures, clock.Elapsed);
    }

    static async Task<(IReadOnlyList<TaskSnapshot>, IReadOnlyList<Simulators.LedgerCharge>)> RunWithOutagesAsync(
        Deployment deployment, int tasks, List<string> failures, Stopwatch clock)
    {
        var behaviour = deployment.Simulators.Behaviour;
        behaviour.X402Items = X402Items;
        behaviour.Latency = TimeSpan.FromMilliseconds(20);
        behaviour.FailureRateBeforeEffect = 0.2;
        behaviour.FailureRateAfterEffect = 0.1;

        using var http = new HttpClient { BaseAddress = deployment.Api.Address, Timeout = TimeSpan.FromSeconds(30) };
        var load = new Load(http);
        var approver = new Approver(http);
        using var stopApproving = new CancellationTokenSource();
        var approving = approver.RunAsync(stopApproving.Token);
        await load.SubmitFlatOutAsync(clients: 8, TimeSpan.FromMinutes(5), maxTasks: tasks);
        Log(clock, $"{load.TaskIds.Count} tasks submitted");
        if (load.TaskIds.Count < tasks)
            failures.Add($"only {load.TaskIds.Count} of {tasks} tasks were accepted by POST /tasks");

        // A task buys about three items, but under the daily limit about two (some 1.9 × tasks charges in all, not 2.8):
        // the outages come while payments are being made, early and about a third of the way, as they did without it.
        var ledger = deployment.Simulators.Ledger;
        await Step(failures, clock, "a Worker started while RabbitMQ is down", async () =>
        {
            await WaitUntilAsync(() => ledger.Charges.Count >= tasks / 4, clock);
            Log(clock, $"worker-1 killed with SIGKILL after {ledger.Charges.Count} charges; RabbitMQ stopping");
            await deployment.KillAsync(1);
            await RabbitMqCtlAsync("stop_app");
            Log(clock, "RabbitMQ stopped; worker-1 starting");
            await deployment.StartWorkerAsync(1, waitUntilReady: false);
            await Task.Delay(BrokerDown);
            await RabbitMqCtlAsync("start_app");
            Log(clock, "RabbitMQ started");
            await deployment.WaitUntilReadyAsync(ReadyLimit);
            Log(clock, "every process ready again (worker-1 without a restart)");
        });

        var chargesAtRestart = 0;
        await Step(failures, clock, "a PostgreSQL restart", async () =>
        {
            await WaitUntilAsync(() => ledger.Charges.Count >= tasks * 2 / 3, clock);
            chargesAtRestart = ledger.Charges.Count;
            Log(clock, $"PostgreSQL restarting after {chargesAtRestart} charges");
            await RestartPostgresAsync();
            Log(clock, "PostgreSQL restarted");
            await deployment.WaitUntilReadyAsync(ReadyLimit);
            Log(clock, "every process ready again");
        });

        IReadOnlyList<TaskSnapshot> final = [];
        while (clock.Elapsed < Limit)
        {
            try
            {
                final = await load.SnapshotAsync();
                if (final.Count == load.TaskIds.Count && final.All(t => t.IsFinal))
                    break;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or InvalidOperationException)
            {
                // The Api may be briefly unable to answer during an outage; the next look will tell.
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        await stopApproving.CancelAsync();
        await approving;
        Log(clock, $"{approver.Approved} plans approved");
        // The Worker and broker step waits until every process is ready again: a fast run may pay for everything by then.
        if (chargesAtRestart > 0 && chargesAtRestart == ledger.Charges.Count)
            Log(clock, "note: PostgreSQL was restarted after the last payment, not while payments were being made");
        if (final.Count < load.TaskIds.Count)
            failures.Add($"the Api did not answer for every task by {Limit.TotalMinutes} minutes");
        return (final, ledger.Charges);
    }

    static async Task Step(List<string> failures, Stopwatch clock, string what, Func<Task> step)
    {
        try
        {
            await step();
        }
        catch (Exception e)
        {
            failures.Add($"{clock.Elapsed.TotalSeconds:F1} s, {what}: {Describe(e)}");
            Log(clock, $"{what} failed: {Describe(e)}");
        }
    }

    static async Task WaitUntilAsync(Func<bool> condition, Stopwatch clock)
    {
        while (!condition())
        {
            if (clock.Elapsed >= Limit)
                throw new TimeoutException($"the run did not get there within {Limit.TotalMinutes} minutes");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    static int Reconcile(IReadOnlyList<TaskSnapshot> tasks, IReadOnlyList<Simulators.LedgerCharge> charges, long dailyLimit, List<string> failures, TimeSpan elapsed)
    {
        // Every purchase's key is "<task id, 32 hex digits>-<item id>".
        var chargedTwice = charges.GroupBy(c => c.IdempotencyKey).Count(g => g.Key is null || g.Count() > 1);
        var ledger = charges
            .Where(c => c.IdempotencyKey is { Length: > 32 })
            .GroupBy(c => Guid.ParseExact(c.IdempotencyKey![..32], "N"))
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Amount));
        var final = tasks.Count(t => t.IsFinal);
        var completed = tasks.Count(t => t.Status == "Completed");
        var overBudget = tasks.Count(t => t.Spent > t.Budget || ledger.GetValueOrDefault(t.TaskId) > t.Budget);
        var mismatched = tasks.Count(t => t.Spent != ledger.GetValueOrDefault(t.TaskId));
        var unknown = ledger.Keys.Except(tasks.Select(t => t.TaskId)).Count();
        var (overDailyLimit, days) = OverDailyLimit(tasks, charges, dailyLimit);
        var enoughCompleted = tasks.Count > 0 && completed >= Math.Ceiling(MinimumCompleted * tasks.Count);

        var x402 = charges.Where(c => c.TokenId.StartsWith(Simulators.PaymentLedger.X402TokenPrefix, StringComparison.Ordinal)).ToList();
        Console.WriteLine($"   finished in {elapsed.TotalSeconds:F0} s; {charges.Count} charges, {charges.Sum(c => c.Amount)} paid in all; "
            + $"{x402.Count} of them over x402 ({x402.Sum(c => c.Amount)} paid)");
        foreach (var day in days)
            Console.WriteLine($"   {day}");
        foreach (var group in tasks.GroupBy(t => t.Error is null ? t.Status : $"{t.Status} ({t.Error})").OrderBy(g => g.Key, StringComparer.Ordinal))
            Console.WriteLine($"   {group.Key}: {group.Count()}");
        Console.WriteLine();
        Console.WriteLine("| tasks final / total | Completed | over budget | over daily limit | purchases charged twice | spent ≠ ledger | charges of unknown tasks | harness failures |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {final} / {tasks.Count} | {completed} ({(tasks.Count == 0 ? 0 : 100.0 * completed / tasks.Count):F1} %) | {overBudget} | {overDailyLimit} | {chargedTwice} | {mismatched} | {unknown} | {failures.Count} |"));
        foreach (var failure in failures)
            Console.WriteLine($"   harness failure: {failure}");
        if (!enoughCompleted)
            Console.WriteLine($"   fewer than {MinimumCompleted:P0} of the tasks Completed");

        return tasks.Count > 0 && final == tasks.Count && enoughCompleted && overBudget == 0 && overDailyLimit == 0 && chargedTwice == 0 && mismatched == 0
            && unknown == 0 && failures.Count == 0 ? 0 : 1;
    }

    /// <summary>
    /// The run's charges against the daily limit (every task is one owner's), per UTC day of the ledger's charges: how
    /// many days, or the run as a whole, went over, and a line per day. A task's plan holds the day it is made, after
    /// the task was created and before its first charge: a task created and charged within one day counts toward that
    /// day for certain. One created before a midnight and charged after it may count toward either day, so it counts
    /// only toward the run's total, which may not pass the limit times the days the run spans.
    /// </summary>
    static (int Over, List<string> Days) OverDailyLimit(IReadOnlyList<TaskSnapshot> tasks, IReadOnlyList<Simulators.LedgerCharge> charges, long limit)
    {
        var lines = new List<string>();
        if (charges.Count == 0)
            return (0, lines);

        var created = tasks.ToDictionary(t => t.TaskId, t => t.CreatedAt.UtcDateTime.Date);
        var perDay = new SortedDictionary<DateTime, (long Certain, long Straddling)>();
        foreach (var task in charges.GroupBy(c => c.IdempotencyKey is { Length: > 32 } key && Guid.TryParseExact(key[..32], "N", out var id) ? id : Guid.Empty))
        {
            var chargedOn = task.Select(c => c.At.UtcDateTime.Date).Distinct().ToList();
            var certain = created.TryGetValue(task.Key, out var day) && chargedOn.TrueForAll(d => d == day);
            foreach (var (on, amount) in task.GroupBy(c => c.At.UtcDateTime.Date).Select(g => (g.Key, g.Sum(c => c.Amount))))
            {
                var sums = perDay.GetValueOrDefault(on);
                perDay[on] = certain ? (sums.Certain + amount, sums.Straddling) : (sums.Certain, sums.Straddling + amount);
            }
        }

        var over = 0;
        foreach (var (day, (certain, straddling)) in perDay)
        {
            over += certain > limit ? 1 : 0;
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{day:yyyy-MM-dd} (UTC): {certain + straddling} charged of a daily limit of {limit}{(straddling > 0 ? $" ({straddling} by tasks created the day before)" : "")}{(certain > limit ? ": OVER THE LIMIT" : "")}"));
        }

        var firstDay = perDay.Keys.Concat(created.Values).Min();
        var span = (perDay.Keys.Max() - firstDay).Days + 1;
        var total = charges.Sum(c => c.Amount);
        if (total > limit * span)
        {
            over++;
            lines.Add($"{total} charged in all over {span} UTC day(s): OVER THE LIMIT");
        }

        return (over, lines);
    }

    static async Task DisposeQuietlyAsync(Deployment deployment, List<string> failures)
    {
        try
        {
            await deployment.DisposeAsync();
        }
        catch (Exception e)
        {
            failures.Add($"stopping the deployment: {Describe(e)}");
        }
    }

    static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message}";

    static void Log(Stopwatch clock, string what) => Console.WriteLine($"   {clock.Elapsed.TotalSeconds,5:F1} s: {what}");

    static Task RabbitMqCtlAsync(string command) => RunAsync("rabbitmqctl", "-q", command);

    /// <summary>The PostgreSQL that .ci/services.sh started (PG_DIR), restarted with its own options; connections drop.</summary>
    static Task RestartPostgresAsync()
    {
        var folder = Environment.GetEnvironmentVariable("PG_DIR") ?? "/tmp/orchestrator-pg";
        return RunAsync("runuser", "-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "-D", Path.Combine(folder, "data"),
            "-l", Path.Combine(folder, "server.log"), "-m", "fast", "-w", "restart");
    }

    static async Task RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException($"{program} could not be started");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(limit.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {(await errors).Trim()} {(await output).Trim()}".Trim());
    }

    /// <summary>
    /// A wallet key of the run's own: 32 random bytes, a valid secp256k1 key but with a chance of 2^-128 (the hosts
    /// check it on start).
    /// </summary>
    static string NewWalletKey() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
