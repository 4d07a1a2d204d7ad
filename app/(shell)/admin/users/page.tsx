import type { Metadata } from 'next';
import { CreateUserForm } from '@/components/users/create-user-form';
import { UserRowControls } from '@/components/users/user-row-controls';
import { requirePagePermission } from '@/lib/auth/guards';
import { ROLE_LABELS } from '@/lib/auth/permissions';
import { listUsers } from '@/lib/users/data';

export const metadata: Metadata = { title: 'Users' };

export default async function UsersPage() {
  const me = await requirePagePermission('user:manage');
  const users = await listUsers();
  return (
    <div className="page">
      <header className="page-header">
        <h1>Users</h1>
        <p className="muted lead">
          Roles decide what each person may see and do. Every change is recorded in the audit trail. Disabling a user, changing their role or resetting their
          password signs them out everywhere at once. A password you set is temporary: its holder must choose their own at their next sign-in before they can do
          anything.
        </p>
      </header>
      <div className="table-wrap panel">
        <table className="table" data-testid="users-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">Created by</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.id} data-email={user.email}>
                <td>{user.name}</td>
                <td className="mono small">{user.email}</td>
                <td>
                  <span className={`role-chip role-${user.role}`}>{ROLE_LABELS[user.role]}</span>
                </td>
                <td data-testid="user-status">
                  {user.disabled ? <span className="danger-text">Disabled</span> : <span className="ok-text">Active</span>}
                  {user.mustChangePassword && (
                    <>
                      <br />
                      <span className="small muted" title="An admin chose this account's password; its holder must choose their own at the next sign-in.">
                        Must set own password
                      </span>
                    </>
                  )}
                </td>
                <td className="small" data-testid="user-created-by">
                  {user.createdBy ? <span title={user.createdBy.email}>{user.createdBy.name}</span> : <span className="muted">Set-up script</span>}
                </td>
                <td>
                  <UserRowControls id={user.id} email={user.email} role={user.role} disabled={user.disabled} isSelf={user.id === me.id} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <CreateUserForm />
    </div>
  );
}
