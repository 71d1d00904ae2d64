using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using SQLitePCL;

namespace Orchestrator.Sagas.Persistence;

/// <summary>
/// SQLite takes one writer at a time per file, and Microsoft.Data.Sqlite answers a busy file by sleeping 150 ms
/// before it tries again: under load most of the time went to those sleeps. So the writers of this process queue
/// here instead, one transaction at a time per file, and connections commit with <c>synchronous=NORMAL</c> (in
/// WAL mode a commit then survives a crash of the process without waiting for an fsync).
/// A writer that has to wait gives its connection back to the pool first and opens one again once it is its
/// turn: hundreds of queued writers are not hundreds of open SQLite handles. The pragma is set once per physical
/// connection (the pool hands the same handle out again), not on every logical open. The turns are first come, first
/// served, but for writes someone waits for (<see cref="WriterTurns.Ahead"/>).
/// </summary>
sealed class SqliteTuning : DbTransactionInterceptor, IDbConnectionInterceptor, IDbCommandInterceptor
{
    /// <summary>
    /// How long a write outside a transaction waits its turn before it goes ahead anyway (SQLite's busy handling then
    /// applies). Bounded so that a writer that waits for another connection of its own can never hang.
    /// </summary>
    static readonly TimeSpan LongestQueuedWrite = TimeSpan.FromSeconds(30);

    const string Synchronous = "PRAGMA synchronous=NORMAL;";

    static readonly ConcurrentDictionary<string, SqliteTuning> ByFile = new(StringComparer.Ordinal);

    /// <summary>The physical connections that have the pragma; an entry goes with its handle.</summary>
    static readonly ConditionalWeakTable<sqlite3, object> Tuned = new();

    readonly WriterTurns _writer = new();
    readonly ConcurrentDictionary<Guid, bool> _writing = new();
    readonly ConcurrentDictionary<Guid, bool> _writingCommands = new();

    SqliteTuning()
    {
    }

    public static SqliteTuning For(string connectionString) => ByFile.GetOrAdd(connectionString, _ => new SqliteTuning());

    public Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default) =>
        TuneAsync(connection, cancellationToken);

    public void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Tune(connection);

    // Whatever way a transaction ends (even disposed unfinished), its connection is closed or disposed after it.
    public Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData) => Release(eventData.ConnectionId);

    public void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => Release(eventData.ConnectionId);

    public Task ConnectionDisposedAsync(DbConnection connection, ConnectionEndEventData eventData) => Release(eventData.ConnectionId);

    public void ConnectionDisposed(DbConnection connection, ConnectionEndEventData eventData) => Release(eventData.ConnectionId);

    public override async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        if (!_writer.TryTake())
        {
            // The connection was opened for this transaction by EF Core; it finds it open again when we return.
            await connection.CloseAsync();
            await _writer.TakeAsync(Timeout.InfiniteTimeSpan, cancellationToken);
        }

        try
        {
            if (connection.State != ConnectionState.Open)
            {
                await connection.OpenAsync(cancellationToken);
                await TuneAsync(connection, cancellationToken);
            }

            var transaction = await connection.BeginTransactionAsync(eventData.IsolationLevel, cancellationToken);
            _writing[eventData.ConnectionId] = true;
            return InterceptionResult<DbTransaction>.SuppressWithResult(transaction);
        }
        catch
        {
            _writer.Release();
            throw;
        }
    }

    public override InterceptionResult<DbTransaction> TransactionStarting(
        DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        if (!_writer.TryTake())
        {
            connection.Close();
            _writer.Take(Timeout.InfiniteTimeSpan);
        }

        try
        {
            if (connection.State != ConnectionState.Open)
            {
                connection.Open();
                Tune(connection);
            }

            var transaction = connection.BeginTransaction(eventData.IsolationLevel);
            _writing[eventData.ConnectionId] = true;
            return InterceptionResult<DbTransaction>.SuppressWithResult(transaction);
        }
        catch
        {
            _writer.Release();
            throw;
        }
    }

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        Release(eventData.ConnectionId);

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData.ConnectionId);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default) =>
        Release(eventData.ConnectionId);

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Release(eventData.ConnectionId);

    // A write outside a transaction (ExecuteUpdate, a SaveChanges of one statement) takes its turn like a transaction:
    // without it, it would meet a writer's lock and Microsoft.Data.Sqlite would put its thread to sleep for 150 ms.
    // It holds the turn until it ran, or until its reader (RETURNING) is closed, when SQLite commits it.
    public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await QueueAsync(command, eventData, cancellationToken);
        return result;
    }

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Queue(command, eventData);
        return result;
    }

    public async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await QueueAsync(command, eventData, cancellationToken);
        return result;
    }

    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Queue(command, eventData);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        ReleaseCommand(eventData.CommandId);
        return new(result);
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        ReleaseCommand(eventData.CommandId);
        return result;
    }

    public InterceptionResult DataReaderClosing(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        ReleaseCommand(eventData.CommandId);
        return result;
    }

    public ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        ReleaseCommand(eventData.CommandId);
        return new(result);
    }

    public InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        ReleaseCommand(eventData.CommandId);
        return result;
    }

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => ReleaseCommand(eventData.CommandId);

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        ReleaseCommand(eventData.CommandId);
        return Task.CompletedTask;
    }

    public void CommandCanceled(DbCommand command, CommandEndEventData eventData) => ReleaseCommand(eventData.CommandId);

    public Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ReleaseCommand(eventData.CommandId);
        return Task.CompletedTask;
    }

    async Task QueueAsync(DbCommand command, CommandEventData eventData, CancellationToken cancellationToken)
    {
        if (IsWriteOutsideTransaction(command) && await _writer.TakeAsync(LongestQueuedWrite, cancellationToken))
            _writingCommands[eventData.CommandId] = true;
    }

    void Queue(DbCommand command, CommandEventData eventData)
    {
        if (IsWriteOutsideTransaction(command) && _writer.Take(LongestQueuedWrite))
            _writingCommands[eventData.CommandId] = true;
    }

    void ReleaseCommand(Guid commandId)
    {
        if (_writingCommands.TryRemove(commandId, out _))
            _writer.Release();
    }

    static bool IsWriteOutsideTransaction(DbCommand command) =>
        command.Transaction is null && command.CommandText.AsSpan().TrimStart() is var text
        && (text.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase) || text.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase));

    static async Task TuneAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (Untuned(connection) is not { } handle)
            return;
        await using var command = connection.CreateCommand();
        command.CommandText = Synchronous;
        await command.ExecuteNonQueryAsync(cancellationToken);
        Tuned.AddOrUpdate(handle, handle);
    }

    static void Tune(DbConnection connection)
    {
        if (Untuned(connection) is not { } handle)
            return;
        using var command = connection.CreateCommand();
        command.CommandText = Synchronous;
        command.ExecuteNonQuery();
        Tuned.AddOrUpdate(handle, handle);
    }

    static sqlite3? Untuned(DbConnection connection) =>
        connection is SqliteConnection { Handle: { } handle } && !Tuned.TryGetValue(handle, out _) ? handle : null;

    Task Release(Guid connectionId)
    {
        if (_writing.TryRemove(connectionId, out _))
            _writer.Release();
        return Task.CompletedTask;
    }
}
