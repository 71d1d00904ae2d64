using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Orchestrator.Sagas.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Trust : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "owner_id",
                table: "research_tasks",
                type: "TEXT",
                maxLength: 256,
                nullable: false,
                defaultValue: "anonymous");

            migrationBuilder.AddColumn<string>(
                name: "submission_hash",
                table: "research_tasks",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "submission_key",
                table: "research_tasks",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "audit_events",
                columns: table => new
                {
                    id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    task_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    at = table.Column<DateTime>(type: "TEXT", nullable: false),
                    actor = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    action = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    item_id = table.Column<int>(type: "INTEGER", nullable: true),
                    amount = table.Column<long>(type: "INTEGER", nullable: true),
                    idempotency_key = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_audit_events", x => x.id);
                    table.ForeignKey(
                        name: "fk_audit_events_research_tasks_task_id",
                        column: x => x.task_id,
                        principalTable: "research_tasks",
                        principalColumn: "task_id");
                });

            migrationBuilder.CreateIndex(
                name: "ix_research_tasks_owner_id_created_at",
                table: "research_tasks",
                columns: new[] { "owner_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_research_tasks_owner_id_submission_key",
                table: "research_tasks",
                columns: new[] { "owner_id", "submission_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_audit_events_task_id_id",
                table: "audit_events",
                columns: new[] { "task_id", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "audit_events");

            migrationBuilder.DropIndex(
                name: "ix_research_tasks_owner_id_created_at",
                table: "research_tasks");

            migrationBuilder.DropIndex(
                name: "ix_research_tasks_owner_id_submission_key",
                table: "research_tasks");

            migrationBuilder.DropColumn(
                name: "owner_id",
                table: "research_tasks");

            migrationBuilder.DropColumn(
                name: "submission_hash",
                table: "research_tasks");

            migrationBuilder.DropColumn(
                name: "submission_key",
                table: "research_tasks");
        }
    }
}
