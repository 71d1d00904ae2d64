using Microsoft.Data.Sqlite;

namespace Orchestrator.Benchmarks;

/// <summary>
/// A saga step's unit of work (<see cref="FloorRun"/>) in SQL of its own, on one open connection: each command
/// prepared once, or made anew on every run as EF Core makes them.
/// </summary>
sealed class RawSagaStep : IAsyncDisposable
{
    readonly SqliteConnection _connection;
    readonly SqliteCommand _load;
    readonly SqliteCommand _task;
    readonly SqliteCommand _purchase;
    readonly SqliteCommand _transition;
    readonly SqliteCommand _audit;

    readonly bool _prepared;

    RawSagaStep(SqliteConnection connection, bool prepared)
    {
        _connection = connection;
        _prepared = prepared;
        _load = Command("""
            SELECT t.*, p.* FROM research_tasks AS t LEFT JOIN research_task_purchases AS p ON p.task_id = t.task_id
            WHERE t.task_id = $id ORDER BY p.item_id
            """, "$id");
        _task = Command("UPDATE research_tasks SET current_state = $state, updated_at = $now, version = version + 1 WHERE task_id = $id", "$state", "$now", "$id");
        _purchase = Command("UPDATE research_task_purchases SET payment_attempts = payment_attempts + 1, paid_at = $now WHERE task_id = $id AND item_id = $item", "$now", "$id", "$item");
        _transition = Command("""
            INSERT INTO research_task_transitions (task_id, from_state, to_state, event, at) VALUES ($id, 'Paying', 'Retrying', 'ItemPaymentsMade', $now) RETURNING id
            """, "$id", "$now");
        _audit = Command("""
            INSERT INTO audit_events (task_id, at, actor, action, item_id, amount, idempotency_key, outcome)
            VALUES ($id, $now, 'system', 'payment_settled', $item, 1000, $key, 'paid') RETURNING id
            """, "$id", "$now", "$item", "$key");
    }

    /// <summary>
    /// Opens a connection for the step; <paramref name="prepared"/> false makes each command anew on every run, as
    /// EF Core does (Microsoft.Data.Sqlite then compiles its statements again).
    /// </summary>
    public static async Task<RawSagaStep> OpenAsync(string connectionString, bool prepared)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using (var synchronous = connection.CreateCommand())
        {
            // As the service's connections (SqliteTuning): the file is in WAL mode, and a commit does not wait for an fsync.
            synchronous.CommandText = "PRAGMA synchronous = NORMAL";
            await synchronous.ExecuteNonQueryAsync();
        }

        return new RawSagaStep(connection, prepared);
    }

    SqliteCommand Command(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        command.Prepare();
        return command;
    }

    /// <summary>The command itself when prepared once; else a new one with its text and values, disposed by the caller.</summary>
    SqliteCommand Use(SqliteCommand command)
    {
        if (_prepared)
            return command;
        var fresh = _connection.CreateCommand();
        fresh.CommandText = command.CommandText;
        fresh.Transaction = command.Transaction;
        foreach (SqliteParameter parameter in command.Parameters)
            fresh.Parameters.AddWithValue(parameter.ParameterName, parameter.Value);
        return fresh;
    }

    /// <summary>Runs <paramref name="command"/> with its parameters' values, in their order.</summary>
    async Task ExecuteAsync(SqliteCommand command, params object[] values)
    {
        for (var i = 0; i < values.Length; i++)
            command.Parameters[i].Value = values[i];
        var used = Use(command);
        try
        {
            _ = await used.ExecuteScalarAsync();
        }
        finally
        {
            if (!_prepared)
                await used.DisposeAsync();
        }
    }

    public async Task RunAsync(Guid taskId, int i)
    {
        var id = taskId.ToString().ToUpperInvariant();
        var now = DateTime.UtcNow;
        await using var transaction = _connection.BeginTransaction();
        foreach (var command in new[] { _load, _task, _purchase, _transition, _audit })
            command.Transaction = transaction;

        _load.Parameters[0].Value = id;
        var values = new object[128];
        var load = Use(_load);
        await using (var reader = await load.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
                reader.GetValues(values);
        }

        if (!_prepared)
            await load.DisposeAsync();

        await ExecuteAsync(_task, i % 2 == 0 ? "Paying" : "Retrying", now, id);
        for (var item = 1; item <= 2; item++)
            await ExecuteAsync(_purchase, now, id, item);
        await ExecuteAsync(_transition, id, now);
        for (var item = 1; item <= 2; item++)
            await ExecuteAsync(_audit, id, now, item, $"{taskId:N}-{item}");

        await transaction.CommitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in new[] { _load, _task, _purchase, _transition, _audit })
            await command.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
